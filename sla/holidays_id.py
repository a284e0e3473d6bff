"""Indonesian holidays for a :class:`~sla.engine.WorkCalendar`, from the ``holidays`` package.

``holidays.country_holidays("ID", years=..., categories=(PUBLIC,), language="id")`` gives
the national public holidays (hari libur nasional) and the ``GOVERNMENT`` category gives
cuti bersama (collective leave for civil servants, set each year by SKB 3 Menteri), both
named in Bahasa Indonesia.  Cuti bersama is only known for the years the package has data
for (check a new year's list when the SKB is published); a tenant can switch it off.
Local holidays (hari jadi kabupaten, regional decrees) are passed in by the caller.

Only this module imports ``holidays``; the engine itself stays dependency-free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import holidays as holidays_lib

from .engine.calendar import Holiday, HolidayCategory

__all__ = ["LocalHolidays", "build_holiday_map", "national_holidays"]

LocalHolidays = Mapping[date, str | Sequence[str]] | Iterable[tuple[date, str]]


def _years(years: int | Iterable[int]) -> list[int]:
    result = [years] if isinstance(years, int) else sorted(set(years))
    if not result:
        raise ValueError("Minimal satu tahun harus diberikan.")
    return result


def national_holidays(
    years: int | Iterable[int], *, include_cuti_bersama: bool = True
) -> dict[date, tuple[Holiday, ...]]:
    """National holidays (and, by default, cuti bersama) of Indonesia, names in Bahasa."""
    year_list = _years(years)
    categories: list[tuple[str, HolidayCategory]] = [
        (holidays_lib.PUBLIC, HolidayCategory.NASIONAL)
    ]
    if include_cuti_bersama:
        categories.append((holidays_lib.GOVERNMENT, HolidayCategory.CUTI_BERSAMA))
    result: dict[date, list[Holiday]] = {}
    for lib_category, category in categories:
        calendar = holidays_lib.country_holidays(
            "ID", years=year_list, categories=(lib_category,), language="id"
        )
        for day in sorted(calendar):
            for name in calendar.get_list(day):
                result.setdefault(day, []).append(Holiday(name, category))
    return {day: tuple(result[day]) for day in sorted(result)}


def _local_items(local: LocalHolidays) -> Iterable[tuple[date, str]]:
    items = local.items() if isinstance(local, Mapping) else local
    for day, names in items:
        if isinstance(names, str):
            yield day, names
        else:
            for name in names:
                yield day, name


def build_holiday_map(
    years: int | Iterable[int],
    *,
    include_cuti_bersama: bool = True,
    local: LocalHolidays = (),
) -> dict[date, tuple[Holiday, ...]]:
    """National holidays + cuti bersama (toggle) + the tenant's local holidays.

    The result is ready for ``WorkCalendar.create(holidays=...)``.  Local holidays keep
    every date the caller gives, even outside ``years``.
    """
    merged: dict[date, list[Holiday]] = {
        day: list(entries)
        for day, entries in national_holidays(
            years, include_cuti_bersama=include_cuti_bersama
        ).items()
    }
    for day, name in _local_items(local):
        holiday = Holiday(name.strip(), HolidayCategory.LOKAL)
        bucket = merged.setdefault(day, [])
        if holiday not in bucket:
            bucket.append(holiday)
    return {day: tuple(merged[day]) for day in sorted(merged)}
