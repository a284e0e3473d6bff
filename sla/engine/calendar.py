"""Immutable description of a tenant's work calendar (no Django, no I/O).

A :class:`WorkCalendar` holds everything the deadline engine needs:

* ``timezone``: an IANA zone name read with :mod:`zoneinfo` (``Asia/Jakarta`` = WIB,
  ``Asia/Makassar`` = WITA, ``Asia/Jayapura`` = WIT);
* ``week``: seven tuples (Monday first) of :class:`WorkWindow` in local wall time.  A weekday
  is a working weekday iff it has at least one window, so "Senin–Jumat" and "Senin–Sabtu"
  calendars, lunch breaks and Friday's longer prayer break are all just windows;
* ``holidays``: date -> one or more :class:`Holiday` (national, cuti bersama or local);
* ``version``: an opaque label copied into every result so that a due date can later be
  judged by the rules that were in force when it was set.

Bad input is reported by :func:`validate_calendar` as ``{field: [messages]}`` in Bahasa
Indonesia; constructing a :class:`WorkCalendar` with bad input raises :class:`CalendarError`
carrying the same mapping.  Field keys: ``timezone``, ``week`` (no working day at all),
``week.<0-6>`` (Monday = 0), ``holidays`` and ``version``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_WINDOWS",
    "DEFAULT_WORKING_WEEKDAYS",
    "FRIDAY_WINDOWS",
    "INDONESIAN_TIMEZONES",
    "WEEKDAY_NAMES",
    "CalendarError",
    "Holiday",
    "HolidayCategory",
    "ValidationError",
    "WorkCalendar",
    "WorkWindow",
    "validate_calendar",
]

DAY_SECONDS = 86_400
WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
INDONESIAN_TIMEZONES: Mapping[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


class HolidayCategory(StrEnum):
    NASIONAL = "nasional"
    CUTI_BERSAMA = "cuti bersama"
    LOKAL = "lokal"


@dataclass(frozen=True, slots=True, order=True)
class Holiday:
    name: str
    category: HolidayCategory = HolidayCategory.NASIONAL


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _parse_clock(value: str | time) -> int:
    """``"08:00"`` / ``time(8)`` -> seconds since local midnight; ``"24:00"`` -> 86400."""
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    match = _HHMM.match(value)
    if match is None:
        raise ValueError(f"Format jam tidak valid: {value!r} (gunakan JJ:MM, mis. 08:00).")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59:
        raise ValueError(f"Format jam tidak valid: {value!r}.")
    return hours * 3600 + minutes * 60 + seconds


def format_clock(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


@dataclass(frozen=True, slots=True, order=True)
class WorkWindow:
    """Half-open local wall-time window ``[start, end)`` in seconds since local midnight.

    ``end`` may be 86400 (24:00).  Windows are not validated on their own; a calendar
    validates them together (see :func:`validate_calendar`).
    """

    start: int
    end: int

    @classmethod
    def parse(cls, start: str | time, end: str | time) -> WorkWindow:
        return cls(_parse_clock(start), _parse_clock(end))

    @property
    def seconds(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"{format_clock(self.start)}–{format_clock(self.end)}"


DEFAULT_WORKING_WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
DEFAULT_WINDOWS: tuple[WorkWindow, ...] = (
    WorkWindow.parse("08:00", "12:00"),
    WorkWindow.parse("13:00", "16:00"),
)
FRIDAY_WINDOWS: tuple[WorkWindow, ...] = (
    WorkWindow.parse("08:00", "11:30"),
    WorkWindow.parse("13:30", "16:30"),
)

Week = tuple[tuple[WorkWindow, ...], ...]
HolidayInput = Holiday | str | Sequence[Holiday | str]


class ValidationError(ValueError):
    """Invalid input; ``errors`` maps field keys to messages in Bahasa Indonesia."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        super().__init__(
            "; ".join(f"{key}: {msg}" for key, msgs in self.errors.items() for msg in msgs)
        )


class CalendarError(ValidationError):
    """Invalid work calendar (see :func:`validate_calendar` for the field keys)."""


def _zone_error(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "Zona waktu wajib diisi."
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return f"Zona waktu tidak dikenal: {name!r} (mis. Asia/Jakarta, Asia/Makassar)."
    return None


def _week_errors(week: Sequence[Sequence[WorkWindow]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(week) != 7:
        return {"week": ["Jam kerja harus ditentukan untuk 7 hari (Senin–Minggu)."]}
    any_working = False
    for weekday, windows in enumerate(week):
        day = WEEKDAY_NAMES[weekday]
        msgs: list[str] = []
        valid: list[WorkWindow] = []
        for window in windows:
            if not isinstance(window, WorkWindow):
                msgs.append(f"{day}: jam kerja tidak valid: {window!r}.")
                continue
            if window.start < 0 or window.end > DAY_SECONDS or window.start >= DAY_SECONDS:
                msgs.append(f"{day}: jam kerja {window} di luar rentang 00:00–24:00.")
            elif window.end <= window.start:
                msgs.append(
                    f"{day}: jam selesai ({format_clock(window.end)}) harus setelah "
                    f"jam mulai ({format_clock(window.start)})."
                )
            else:
                valid.append(window)
        valid.sort()
        for before, after in pairwise(valid):
            if after.start < before.end:
                msgs.append(f"{day}: jam kerja {before} tumpang tindih dengan {after}.")
        if msgs:
            errors[f"week.{weekday}"] = msgs
        elif valid:
            any_working = True
    if not any_working and not errors:
        errors["week"] = ["Minimal satu hari kerja dengan jam kerja harus ditentukan."]
    return errors


def _holiday_errors(holidays: Iterable[tuple[object, Sequence[object]]]) -> list[str]:
    msgs: list[str] = []
    for day, entries in holidays:
        if not isinstance(day, date) or isinstance(day, datetime):
            msgs.append(f"Tanggal hari libur tidak valid: {day!r}.")
            continue
        if not entries:
            msgs.append(f"Hari libur tanggal {day.isoformat()} tidak memiliki nama.")
        for entry in entries:
            if not isinstance(entry, Holiday) or not isinstance(entry.name, str):
                msgs.append(f"Hari libur tanggal {day.isoformat()} tidak valid: {entry!r}.")
            elif not entry.name.strip():
                msgs.append(f"Nama hari libur tanggal {day.isoformat()} wajib diisi.")
            elif entry.category not in tuple(HolidayCategory):
                msgs.append(
                    f"Kategori hari libur tanggal {day.isoformat()} tidak dikenal: "
                    f"{entry.category!r} (nasional, cuti bersama, lokal)."
                )
    return msgs


def _normalise_holidays(
    holidays: Mapping[date, HolidayInput] | Iterable[tuple[date, HolidayInput]] | None,
) -> tuple[tuple[date, tuple[Holiday, ...]], ...]:
    if holidays is None:
        return ()
    items = holidays.items() if isinstance(holidays, Mapping) else holidays
    merged: dict[date, list[Holiday]] = {}
    for day, value in items:
        values: Sequence[Holiday | str]
        values = [value] if isinstance(value, Holiday | str) else list(value)
        bucket = merged.setdefault(day, [])
        for entry in values:
            holiday = Holiday(entry) if isinstance(entry, str) else entry
            if holiday not in bucket:
                bucket.append(holiday)
    return tuple((day, tuple(merged[day])) for day in sorted(merged))


def _build_week(
    working_weekdays: Iterable[int],
    windows: Sequence[WorkWindow],
    weekday_windows: Mapping[int, Sequence[WorkWindow]] | None,
) -> Week:
    working = set(working_weekdays)
    overrides = dict(weekday_windows or {})
    return tuple(
        tuple(overrides.get(weekday, windows)) if weekday in working else () for weekday in range(7)
    )


def validate_calendar(
    *,
    timezone: str = "Asia/Jakarta",
    working_weekdays: Iterable[int] = DEFAULT_WORKING_WEEKDAYS,
    windows: Sequence[WorkWindow] = DEFAULT_WINDOWS,
    weekday_windows: Mapping[int, Sequence[WorkWindow]] | None = None,
    holidays: Mapping[date, HolidayInput] | Iterable[tuple[date, HolidayInput]] | None = None,
    version: str | int = 1,
    week: Sequence[Sequence[WorkWindow]] | None = None,
) -> dict[str, list[str]]:
    """Field-specific errors (Bahasa Indonesia) for the arguments of :meth:`WorkCalendar.create`.

    Returns ``{}`` when the input is valid.  ``week`` (7 sequences, Monday first) overrides
    ``working_weekdays``/``windows``/``weekday_windows`` when given.
    """
    errors: dict[str, list[str]] = {}
    zone = _zone_error(timezone)
    if zone:
        errors["timezone"] = [zone]
    if week is None:
        weekdays = list(working_weekdays)
        bad = [d for d in weekdays if not isinstance(d, int) or not 0 <= d <= 6]
        if bad:
            errors["week"] = [f"Hari kerja tidak valid: {bad!r} (0 = Senin … 6 = Minggu)."]
            weekdays = [d for d in weekdays if d not in bad]
        week = _build_week(weekdays, windows, weekday_windows)
    for key, msgs in _week_errors(week).items():
        errors.setdefault(key, []).extend(msgs)
    try:
        normalised = _normalise_holidays(holidays)
    except (TypeError, ValueError) as exc:
        errors["holidays"] = [f"Daftar hari libur tidak valid: {exc}."]
    else:
        holiday_msgs = _holiday_errors(normalised)
        if holiday_msgs:
            errors["holidays"] = holiday_msgs
    if isinstance(version, bool) or not isinstance(version, str | int) or str(version) == "":
        errors["version"] = ["Versi kalender wajib diisi."]
    return errors


@dataclass(frozen=True)
class WorkCalendar:
    """A versioned, immutable work calendar.  Prefer :meth:`create` to build one.

    Instances cache derived lookup tables privately (see ``sla.engine.core``); treat them
    as values and create a new one (new ``version``) whenever a rule changes.
    """

    timezone: str = "Asia/Jakarta"
    week: Week = (DEFAULT_WINDOWS,) * 4 + (FRIDAY_WINDOWS,) + ((),) * 2
    holidays: tuple[tuple[date, tuple[Holiday, ...]], ...] = ()
    version: str | int = 1

    def __post_init__(self) -> None:
        try:
            holidays = _normalise_holidays(self.holidays)
        except (TypeError, ValueError) as exc:
            raise CalendarError({"holidays": [f"Daftar hari libur tidak valid: {exc}."]}) from exc
        errors = validate_calendar(
            timezone=self.timezone, week=self.week, holidays=holidays, version=self.version
        )
        if errors:
            raise CalendarError(errors)
        object.__setattr__(self, "week", tuple(tuple(sorted(day)) for day in self.week))
        object.__setattr__(self, "holidays", holidays)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle/copy only the fields, never the cached lookup tables."""
        return {name: getattr(self, name) for name in ("timezone", "week", "holidays", "version")}

    @classmethod
    def create(
        cls,
        *,
        timezone: str = "Asia/Jakarta",
        working_weekdays: Iterable[int] = DEFAULT_WORKING_WEEKDAYS,
        windows: Sequence[WorkWindow] = DEFAULT_WINDOWS,
        weekday_windows: Mapping[int, Sequence[WorkWindow]] | None = None,
        holidays: Mapping[date, HolidayInput] | Iterable[tuple[date, HolidayInput]] | None = None,
        version: str | int = 1,
    ) -> WorkCalendar:
        """Build a calendar; ``weekday_windows`` defaults to Friday 08:00–11:30, 13:30–16:30.

        Pass ``weekday_windows={}`` for identical windows every working day.  Raises
        :class:`CalendarError` (with ``.errors``) on invalid input.
        """
        if weekday_windows is None:
            weekday_windows = {4: FRIDAY_WINDOWS}
        errors = validate_calendar(
            timezone=timezone,
            working_weekdays=working_weekdays,
            windows=windows,
            weekday_windows=weekday_windows,
            holidays=holidays,
            version=version,
        )
        if errors:
            raise CalendarError(errors)
        week = _build_week(working_weekdays, windows, weekday_windows)
        return cls(
            timezone=timezone, week=week, holidays=_normalise_holidays(holidays), version=version
        )

    @property
    def working_weekdays(self) -> frozenset[int]:
        return frozenset(weekday for weekday, windows in enumerate(self.week) if windows)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def holiday_map(self) -> Mapping[date, tuple[Holiday, ...]]:
        return dict(self.holidays)

    def is_working_day(self, day: date) -> bool:
        return bool(self.week[day.weekday()]) and day not in self.holiday_map

    def with_changes(self, **changes: Any) -> WorkCalendar:
        """A modified copy (e.g. ``with_changes(holidays=..., version=2)``)."""
        fields: dict[str, Any] = {
            "timezone": self.timezone,
            "week": self.week,
            "holidays": self.holidays,
            "version": self.version,
        }
        fields.update(changes)
        return WorkCalendar(**fields)
