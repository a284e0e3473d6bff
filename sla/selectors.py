"""Reads of the sla app: calendar versions, engine calendars, policies, due dates.

THE API FOR APPLICATIONS is :func:`due_for` (with :class:`DueInfo`): an application stores
``DueInfo.calendar_version_id`` when its clock starts and passes that version back
(:func:`calendar_version_get`) on every later recomputation, so a deadline is always judged
by the calendar rules that were in force when it was set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from core.errors import NotFound

from .engine import (
    DEFAULT_PAUSE_REASON,
    ClockState,
    DueResult,
    Pause,
    Reason,
    Target,
    TargetKind,
    WorkCalendar,
    at_risk_instant,
    compute_due,
    elapsed_fraction,
)
from .holidays_id import build_holiday_map
from .models import CalendarVersion, SlaPolicy, TargetUnit

if TYPE_CHECKING:
    from services.models import Offering

__all__ = [
    "DueInfo",
    "PolicyValues",
    "StepSla",
    "calendar_current",
    "calendar_version_get",
    "calendar_versions",
    "due_for",
    "effective_step_target",
    "engine_calendar",
    "engine_target",
    "fraction_used",
    "policy_for",
    "sla_text",
    "step_slas",
    "step_target",
    "upcoming_holidays",
]

UNIT_TO_KIND = {
    TargetUnit.WORKING_DAYS: TargetKind.WORKING_DAYS,
    TargetUnit.WORKING_HOURS: TargetKind.WORKING_HOURS,
    TargetUnit.CALENDAR_DAYS: TargetKind.CALENDAR_DAYS,
}

PauseInput = Pause | tuple[datetime, datetime | None] | tuple[datetime, datetime | None, str]


# --------------------------------------------------------------------------- calendars


def calendar_current() -> CalendarVersion:
    """The calendar version in force (the highest number). Creates version 1 with the
    defaults if the tenant has none yet (tenants provisioned before the sla app)."""
    current = CalendarVersion.objects.order_by("-version").first()
    if current is None:
        from .services import calendar_ensure_initial

        current = calendar_ensure_initial(timezone_name=_tenant_timezone())
    return current


def _tenant_timezone() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "timezone", "") or "Asia/Jakarta"


def calendar_version_get(*, version_id: int) -> CalendarVersion:
    version = CalendarVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound(_("Versi kalender kerja tidak ditemukan."))
    return version


def calendar_versions() -> Iterable[CalendarVersion]:
    """Every version, newest first (for the history list; paginate it)."""
    return CalendarVersion.objects.order_by("-version")


_CACHE_SIZE = 256
_cache: OrderedDict[tuple[object, ...], WorkCalendar] = OrderedDict()
_cache_lock = threading.Lock()


def _default_years(around: Iterable[int] = ()) -> range:
    years = [dj_timezone.now().year, *around]
    return range(min(years) - 1, max(years) + 3)


def engine_calendar(version: CalendarVersion, *, years: range | None = None) -> WorkCalendar:
    """The engine :class:`WorkCalendar` of ``version``, cached per (schema, version row).

    Holidays: national public holidays from ``sla.holidays_id`` for ``years`` (default: last
    year to two years ahead), cuti bersama if the version includes it, plus the version's
    local holidays. Versions are immutable, so the cache never goes stale; the key also
    carries the schema (ids repeat across tenants) and the year range.
    """
    years = years or _default_years()
    key = (connection.schema_name, version.pk, version.version, version.created_at, years)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    holidays = build_holiday_map(
        years,
        include_cuti_bersama=version.include_cuti_bersama,
        local=version.local_holiday_items(),
    )
    calendar = WorkCalendar(
        timezone=version.timezone,
        week=tuple(tuple(version.windows_for(day)) for day in range(7)),
        holidays=tuple(holidays.items()),
        version=version.version,
    )
    with _cache_lock:
        _cache[key] = calendar
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return calendar


@dataclass(frozen=True)
class UpcomingHoliday:
    day: date
    names: tuple[str, ...]
    categories: tuple[str, ...]
    is_working_weekday: bool


def upcoming_holidays(
    version: CalendarVersion, *, start: date | None = None, days: int = 365
) -> list[UpcomingHoliday]:
    """Holidays of ``version`` from ``start`` (today) for ``days`` days, for the preview."""
    start = start or dj_timezone.localdate()
    end = start + timedelta(days=days)
    calendar = engine_calendar(version, years=_default_years([start.year, end.year]))
    result = []
    for day, entries in calendar.holidays:
        if start <= day <= end:
            result.append(
                UpcomingHoliday(
                    day=day,
                    names=tuple(h.name for h in entries),
                    categories=tuple(str(h.category) for h in entries),
                    is_working_weekday=bool(calendar.week[day.weekday()]),
                )
            )
    return result


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class PolicyValues:
    """An offering's SLA (its policy, or the catalogue version's standard if none yet)."""

    target_value: int
    target_unit: str
    at_risk_threshold: Decimal
    policy_id: int | None = None

    @property
    def target_text(self) -> str:
        return f"{self.target_value} {TargetUnit(self.target_unit).label}"


def policy_for(*, offering: Offering) -> PolicyValues:
    """The SLA policy of ``offering`` (uses ``offering.sla_policy`` if already loaded)."""
    try:
        policy: SlaPolicy | None = offering.sla_policy
    except SlaPolicy.DoesNotExist:
        policy = None
    if policy is None:
        version = offering.service_version
        return PolicyValues(
            target_value=version.sla_value, target_unit=str(version.sla_unit),
            at_risk_threshold=Decimal("0.75"),
        )
    return PolicyValues(
        target_value=policy.target_value, target_unit=policy.target_unit,
        at_risk_threshold=Decimal(policy.at_risk_threshold),
        policy_id=policy.pk,
    )


def engine_target(values: PolicyValues) -> Target:
    return Target(UNIT_TO_KIND[TargetUnit(values.target_unit)], values.target_value)


# --------------------------------------------------------------------------- step targets


def sla_text(value: int, unit: str) -> str:
    """"3 hari kerja" (the unit's label in the active language)."""
    label = TargetUnit(unit).label if unit in TargetUnit.values else unit
    return f"{value} {label}"


def effective_step_target(
    step_targets: Mapping[str, object] | None, step_code: str, value: int, unit: str
) -> tuple[int, str]:
    """The SLA of a step given a policy's ``step_targets``: the tenant's target when it is
    shorter than the catalogue's ``value`` in the same ``unit``, else the catalogue's. Never
    longer: an entry left over from an older catalogue version (longer now, another unit) is
    ignored. No query."""
    item = (step_targets or {}).get(step_code)
    if isinstance(item, Mapping) and item.get("unit") == unit:
        tightened = item.get("value")
        if isinstance(tightened, int) and not isinstance(tightened, bool) and (
            1 <= tightened < value
        ):
            return tightened, unit
    return value, unit


def step_target(offering_id: int, step_code: str, value: int, unit: str) -> tuple[int, str]:
    """``(value, unit)`` a workflow step of this offering opens with in this tenant: the step's
    catalogue SLA (``value`` ``unit``, the national maximum) or the tenant's tighter target
    for it (``SlaPolicy.step_targets``). For ``applications.steps``, which stores the result on
    the step row. One small query (the policy's step targets only)."""
    targets = (
        SlaPolicy.objects.filter(offering_id=offering_id)
        .values_list("step_targets", flat=True).first()
    )
    return effective_step_target(targets, step_code, value, unit)


def offering_step_sla_texts(
    offering_id: int, steps: Iterable[Any], *, policy: Any = None
) -> dict[str, str]:
    """The SLA text in force in this tenant for each of ``steps`` (catalogue workflow steps),
    with the tenant's tighter targets applied, for the route of an application. ``policy``:
    the offering's SlaPolicy if already loaded (or None if it has none); otherwise one query."""
    if policy is None or isinstance(policy, SlaPolicy):
        targets = policy.step_targets if policy is not None else None
    else:
        targets = (
            SlaPolicy.objects.filter(offering_id=offering_id)
            .values_list("step_targets", flat=True).first()
        )
    return {
        step.code: sla_text(*effective_step_target(targets, step.code, step.sla_value,
                                                   step.sla_unit))
        for step in steps
    }


@dataclass(frozen=True)
class StepSla:
    """One step of an offering's workflow: its national maximum and its SLA in this tenant."""

    code: str
    name: str
    unit: str
    national_value: int
    value: int

    @property
    def tightened(self) -> bool:
        return self.value < self.national_value

    @property
    def text(self) -> str:
        return sla_text(self.value, self.unit)

    @property
    def national_text(self) -> str:
        return sla_text(self.national_value, self.unit)


def step_slas(*, offering: Offering) -> list[StepSla]:
    """Every step of the workflow of the offering's adopted catalogue version, in order, with
    its effective SLA (uses ``offering.sla_policy`` and ``offering.service_version`` if loaded;
    no query then)."""
    from catalog.workflow import workflow_of

    try:
        targets = offering.sla_policy.step_targets
    except SlaPolicy.DoesNotExist:
        targets = {}
    result = []
    for step in workflow_of(offering.service_version).steps:
        value, unit = effective_step_target(targets, step.code, step.sla_value, step.sla_unit)
        result.append(StepSla(code=step.code, name=step.name, unit=unit,
                              national_value=step.sla_value, value=value))
    return result


# --------------------------------------------------------------------------- due dates


@dataclass(frozen=True)
class DueInfo:
    """A deadline and why it is where it is.

    * ``due``: aware UTC instant, or ``None`` while an open pause stops the clock
      (``state == "dijeda"``; ``paused_since`` and ``remaining_fraction`` are then set);
    * ``at_risk``: when ``at_risk_threshold`` of the time is used (``None`` if paused first);
    * ``reasons``: Indonesian strings, e.g. ``"+1 hari: Hari Raya Idul Fitri"``,
      ``"+2 hari: menunggu perbaikan dari pemohon"``; ``reason_details`` the engine objects;
    * ``calendar_version_id`` (row id; store it) and ``calendar_version`` (its number);
    * ``target_text``: "5 hari kerja"; ``timezone`` of the calendar (``due_local()``).
    """

    due: datetime | None
    at_risk: datetime | None
    reasons: list[str]
    calendar_version_id: int
    calendar_version: int
    target_value: int
    target_unit: str
    target_text: str
    at_risk_threshold: Decimal
    timezone: str = "Asia/Jakarta"
    state: str = ClockState.RUNNING.value
    paused_since: datetime | None = None
    remaining_fraction: float | None = None
    reason_details: tuple[Reason, ...] = field(default=(), repr=False)

    @property
    def is_paused(self) -> bool:
        return self.state == ClockState.PAUSED.value

    def due_local(self) -> datetime | None:
        """``due`` in the calendar's timezone (WIB/WITA/WIT), for display."""
        return None if self.due is None else self.due.astimezone(ZoneInfo(self.timezone))


def _pauses(pauses: Sequence[PauseInput]) -> list[Pause]:
    result = []
    for item in pauses:
        if isinstance(item, Pause):
            result.append(item)
        elif len(item) == 3:
            result.append(Pause(item[0], item[1], item[2] or DEFAULT_PAUSE_REASON))
        else:
            result.append(Pause(item[0], item[1]))
    return result


def _years_for(start: datetime, pauses: Sequence[Pause]) -> range:
    years = [start.year]
    years.extend(p.start.year for p in pauses)
    return _default_years(years)


def due_for(
    *,
    offering: Offering,
    start: datetime,
    pauses: Sequence[PauseInput] = (),
    calendar_version: CalendarVersion | None = None,
) -> DueInfo:
    """Due instant, at-risk instant and reasons for an application of ``offering``.

    ``start``: when the clock started (aware datetime; the complete application was
    received). ``pauses``: ``(start, end)`` pairs (``end=None`` for a pause still open),
    optionally ``(start, end, reason)``; default reason "menunggu perbaikan dari pemohon".
    ``calendar_version``: the version stored with the application; ``None`` uses the
    current version (do that once, at submission, and store ``calendar_version_id``).
    Raises ``ValueError`` for a naive ``start``.
    """
    version = calendar_version or calendar_current()
    values = policy_for(offering=offering)
    engine_pauses = _pauses(pauses)
    calendar = engine_calendar(version, years=_years_for(start, engine_pauses))
    target = engine_target(values)
    result: DueResult = compute_due(start, target, calendar, engine_pauses)
    at_risk = at_risk_instant(
        start, target, calendar, engine_pauses,
        threshold=Fraction(values.at_risk_threshold),
    )
    return DueInfo(
        due=result.due,
        at_risk=at_risk,
        reasons=[reason.label for reason in result.reasons],
        calendar_version_id=version.pk,
        calendar_version=version.version,
        target_value=values.target_value,
        target_unit=values.target_unit,
        target_text=values.target_text,
        at_risk_threshold=values.at_risk_threshold,
        timezone=version.timezone,
        state=result.state.value,
        paused_since=result.paused_since,
        remaining_fraction=result.remaining_fraction,
        reason_details=result.reasons,
    )


def step_due_for(
    *,
    value: int,
    unit: str,
    start: datetime,
    pauses: Sequence[PauseInput] = (),
    calendar_version: CalendarVersion | None = None,
) -> datetime | None:
    """Due instant of one workflow step (``value`` ``unit`` from ``start`` on the tenant
    calendar, pauses excluded; None while a pause is open). Same engine as :func:`due_for`."""
    version = calendar_version or calendar_current()
    engine_pauses = _pauses(pauses)
    calendar = engine_calendar(version, years=_years_for(start, engine_pauses))
    target = Target(UNIT_TO_KIND[TargetUnit(unit)], value)
    return compute_due(start, target, calendar, engine_pauses).due


def fraction_used(
    *,
    offering: Offering,
    start: datetime,
    now: datetime | None = None,
    pauses: Sequence[PauseInput] = (),
    calendar_version: CalendarVersion | None = None,
) -> float:
    """Fraction of the SLA used at ``now`` (0 before start, > 1 when overdue)."""
    version = calendar_version or calendar_current()
    engine_pauses = _pauses(pauses)
    calendar = engine_calendar(version, years=_years_for(start, engine_pauses))
    target = engine_target(policy_for(offering=offering))
    return elapsed_fraction(start, target, calendar, now or dj_timezone.now(), engine_pauses)
