"""Deadline computation over a :class:`~sla.engine.calendar.WorkCalendar`.

See the package docstring (``sla.engine``) for the exact semantics.  Implementation notes:

* All instants are handled as integer microseconds since the Unix epoch (UTC), so there is
  no float rounding anywhere.
* Each calendar lazily builds (and caches on itself) an index of its working windows over
  a range of local dates: flat sorted arrays of window starts/ends and two cumulative
  "clocks" -- working microseconds, and working-day units.  A working-day unit is one
  working day regardless of its length: within a day the clock advances at
  ``D / day_length`` ticks per microsecond, ``D`` being the least common multiple of all
  day lengths, so day fractions stay exact integers.  Every query is then a handful of
  ``bisect`` calls; the index grows forward/backward on demand.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar
from zoneinfo import ZoneInfo

from .calendar import Holiday, HolidayCategory, ValidationError, WorkCalendar

__all__ = [
    "DEFAULT_AT_RISK_THRESHOLD",
    "DEFAULT_PAUSE_REASON",
    "ClockState",
    "DueResult",
    "Pause",
    "Reason",
    "ReasonKind",
    "Target",
    "TargetError",
    "TargetKind",
    "at_risk_instant",
    "compute_due",
    "elapsed_fraction",
    "validate_target",
    "validate_threshold",
    "working_time_between",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND

DEFAULT_PAUSE_REASON = "menunggu perbaikan dari pemohon"
DEFAULT_AT_RISK_THRESHOLD = 0.75
MAX_DAYS = 3_660  # ten years: anything longer is a data-entry error
MAX_HOURS = MAX_DAYS * 24
_MAX_INDEX_DAYS = 80 * 366


# --------------------------------------------------------------------------- public types


class TargetKind(StrEnum):
    WORKING_DAYS = "hari_kerja"
    WORKING_HOURS = "jam_kerja"
    CALENDAR_DAYS = "hari_kalender"


_KIND_LABEL = {
    TargetKind.WORKING_DAYS: "hari kerja",
    TargetKind.WORKING_HOURS: "jam kerja",
    TargetKind.CALENDAR_DAYS: "hari kalender",
}


class TargetError(ValidationError):
    """Invalid SLA target or at-risk threshold (keys ``kind``, ``amount``, ``threshold``)."""


def validate_target(kind: object, amount: object) -> dict[str, list[str]]:
    """Field errors (Bahasa Indonesia) for a target; ``{}`` when valid."""
    errors: dict[str, list[str]] = {}
    try:
        kind = TargetKind(str(kind))
    except ValueError:
        errors["kind"] = [
            f"Jenis target tidak dikenal: {kind!r} (hari_kerja, jam_kerja, hari_kalender)."
        ]
        kind = None
    if isinstance(amount, bool) or not isinstance(amount, int):
        errors["amount"] = ["Target harus berupa bilangan bulat."]
    elif amount <= 0:
        errors["amount"] = ["Target harus lebih dari 0."]
    elif kind is TargetKind.WORKING_HOURS and amount > MAX_HOURS:
        errors["amount"] = [f"Target terlalu besar (maksimal {MAX_HOURS} jam kerja)."]
    elif kind is not TargetKind.WORKING_HOURS and amount > MAX_DAYS:
        errors["amount"] = [f"Target terlalu besar (maksimal {MAX_DAYS} hari)."]
    return errors


def validate_threshold(threshold: object) -> dict[str, list[str]]:
    """The at-risk threshold is a fraction strictly between 0 and 1 (0 % < t < 100 %)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | Fraction):
        return {"threshold": ["Ambang berisiko harus berupa angka."]}
    if not 0 < threshold < 1:
        return {"threshold": ["Ambang berisiko harus lebih dari 0 dan kurang dari 100 persen."]}
    return {}


@dataclass(frozen=True, slots=True)
class Target:
    """An SLA target: ``amount`` working days, working hours or calendar days."""

    kind: TargetKind
    amount: int

    def __post_init__(self) -> None:
        errors = validate_target(self.kind, self.amount)
        if errors:
            raise TargetError(errors)
        object.__setattr__(self, "kind", TargetKind(self.kind))

    @classmethod
    def working_days(cls, amount: int) -> Target:
        return cls(TargetKind.WORKING_DAYS, amount)

    @classmethod
    def working_hours(cls, amount: int) -> Target:
        return cls(TargetKind.WORKING_HOURS, amount)

    @classmethod
    def calendar_days(cls, amount: int) -> Target:
        return cls(TargetKind.CALENDAR_DAYS, amount)

    def __str__(self) -> str:
        return f"{self.amount} {_KIND_LABEL[self.kind]}"


@dataclass(frozen=True, slots=True)
class Pause:
    """The clock is stopped from ``start`` to ``end`` (``None``: still stopped)."""

    start: datetime
    end: datetime | None = None
    reason: str = DEFAULT_PAUSE_REASON


class ClockState(StrEnum):
    RUNNING = "berjalan"
    PAUSED = "dijeda"


class ReasonKind(StrEnum):
    HOLIDAY = "holiday"
    CUTI_BERSAMA = "cuti_bersama"
    LOCAL_HOLIDAY = "local_holiday"
    PAUSE = "pause"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the due instant moved, aggregated per holiday name / pause reason.

    ``amount``/``unit``: holidays -> number of days ("hari"); pauses -> the paused amount
    in the target's unit ("hari kerja", "jam kerja" or "hari").  ``dates``: the holiday
    dates that moved the deadline (empty for pauses).
    """

    kind: ReasonKind
    name: str
    label: str
    amount: float
    unit: str
    dates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class DueResult:
    """Outcome of :func:`compute_due`.

    ``due`` is an aware UTC datetime, or ``None`` when ``state`` is ``PAUSED`` (an open pause
    stopped the clock before the budget ran out).  Then ``paused_since`` is when the clock
    stopped and ``remaining`` the budget left, in the target's unit (``remaining_fraction``
    of the whole budget); pass the pause with an end (e.g. ``now``) to get the due instant
    "if resumed now".
    """

    start: datetime
    target: Target
    state: ClockState
    due: datetime | None
    reasons: tuple[Reason, ...]
    calendar_version: str | int
    paused_since: datetime | None = None
    remaining: float | None = None
    remaining_fraction: float | None = None

    @property
    def is_paused(self) -> bool:
        return self.state is ClockState.PAUSED

    @property
    def labels(self) -> list[str]:
        return [reason.label for reason in self.reasons]

    def due_local(self, tz: str | ZoneInfo) -> datetime | None:
        if self.due is None:
            return None
        return self.due.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)


# --------------------------------------------------------------------------- index


class _NeedMoreError(Exception):
    """The cached index does not reach far enough into the future."""


def _to_us(value: datetime, what: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} harus memiliki zona waktu (datetime aware), bukan naive.")
    return (value - _EPOCH) // _US


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _local_us(midnight: datetime, seconds: int, tz: ZoneInfo) -> int:
    return ((midnight + timedelta(seconds=seconds)).replace(tzinfo=tz) - _EPOCH) // _US


_CATEGORY_RANK = {
    HolidayCategory.NASIONAL: 0,
    HolidayCategory.CUTI_BERSAMA: 1,
    HolidayCategory.LOKAL: 2,
}
_CATEGORY_KIND = {
    HolidayCategory.NASIONAL: ReasonKind.HOLIDAY,
    HolidayCategory.CUTI_BERSAMA: ReasonKind.CUTI_BERSAMA,
    HolidayCategory.LOKAL: ReasonKind.LOCAL_HOLIDAY,
}


def _holiday_display(holiday: Holiday) -> str:
    name = holiday.name.strip()
    if holiday.category is HolidayCategory.CUTI_BERSAMA:
        if not name.lower().startswith("cuti bersama"):
            return f"cuti bersama {name}"
    elif holiday.category is HolidayCategory.LOKAL and "libur" not in name.lower():
        return f"{name} (libur daerah)"
    return name


def _describe_holidays(entries: tuple[Holiday, ...]) -> tuple[ReasonKind, str]:
    ordered = sorted(entries, key=lambda h: _CATEGORY_RANK[h.category])
    return _CATEGORY_KIND[ordered[0].category], " / ".join(_holiday_display(h) for h in ordered)


class _Measure:
    """A monotone piecewise-linear clock over the flat window arrays."""

    __slots__ = ("cum", "cumend", "hi_us", "rate", "we", "ws")

    def __init__(
        self,
        ws: list[int],
        we: list[int],
        cum: list[int],
        cumend: list[int],
        rate: list[int] | None,
        hi_us: int,
    ) -> None:
        self.ws, self.we, self.cum, self.cumend, self.rate = ws, we, cum, cumend, rate
        self.hi_us = hi_us

    def at(self, t: int) -> int:
        if t >= self.hi_us:
            raise _NeedMoreError
        i = bisect_right(self.ws, t) - 1
        if i < 0:
            return 0
        end = self.we[i]
        if t > end:
            t = end
        delta = t - self.ws[i]
        return self.cum[i] + (delta if self.rate is None else delta * self.rate[i])

    def inverse(self, x: int) -> int:
        """Earliest instant at which the clock reads ``x`` (``x`` > 0)."""
        i = bisect_left(self.cumend, x)
        if i == len(self.cumend):
            raise _NeedMoreError
        delta = x - self.cum[i]
        if self.rate is None:
            return self.ws[i] + delta
        return self.ws[i] - (-delta // self.rate[i])


class _WallClock:
    """Calendar time: every microsecond counts."""

    __slots__ = ()

    def at(self, t: int) -> int:
        return t

    def inverse(self, x: int) -> int:
        return x


_WALL = _WallClock()


class _Index:
    __slots__ = (
        "day_ticks",
        "days",
        "hi",
        "hi_us",
        "hol_close",
        "hol_date",
        "hol_kind",
        "hol_name",
        "hol_open",
        "hours",
        "lo",
        "lo_us",
        "wd_close",
    )

    def __init__(self, calendar: WorkCalendar, lo: int, hi: int) -> None:
        tz = calendar.tz
        week = calendar.week
        holiday_map = calendar.holiday_map
        ws: list[int] = []
        we: list[int] = []
        cum: list[int] = []
        cumend: list[int] = []
        wday: list[int] = []
        day_len: list[int] = []
        day_cum: list[int] = []
        wd_close: list[int] = []
        self.hol_open: list[int] = []
        self.hol_close: list[int] = []
        self.hol_date: list[date] = []
        self.hol_kind: list[ReasonKind] = []
        self.hol_name: list[str] = []
        total = 0
        for ordinal in range(lo, hi):
            windows = week[(ordinal + 6) % 7]
            if not windows:
                continue
            day = date.fromordinal(ordinal)
            midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - local wall time
            spans: list[tuple[int, int]] = []
            for window in windows:
                a = _local_us(midnight, window.start, tz)
                b = _local_us(midnight, window.end, tz)
                if spans and a < spans[-1][1]:  # only possible around a DST fold
                    a = spans[-1][1]
                if b > a:
                    spans.append((a, b))
            if not spans:
                continue
            entries = holiday_map.get(day)
            if entries:
                kind, name = _describe_holidays(entries)
                self.hol_open.append(spans[0][0])
                self.hol_close.append(spans[-1][1])
                self.hol_date.append(day)
                self.hol_kind.append(kind)
                self.hol_name.append(name)
                continue
            rank = len(wd_close)
            wd_close.append(spans[-1][1])
            day_cum.append(total)
            for a, b in spans:
                ws.append(a)
                we.append(b)
                cum.append(total)
                total += b - a
                cumend.append(total)
                wday.append(rank)
            day_len.append(total - day_cum[rank])
        ticks = math.lcm(*set(day_len)) if day_len else 1
        rate = [ticks // day_len[k] for k in wday]
        cum_d = [wday[i] * ticks + (cum[i] - day_cum[wday[i]]) * rate[i] for i in range(len(ws))]
        cumend_d = [cum_d[i] + (we[i] - ws[i]) * rate[i] for i in range(len(ws))]
        self.lo, self.hi = lo, hi
        self.lo_us = _local_us(_midnight(lo), 0, tz)
        self.hi_us = _local_us(_midnight(hi), 0, tz)
        self.wd_close = wd_close
        self.day_ticks = ticks
        self.hours = _Measure(ws, we, cum, cumend, None, self.hi_us)
        self.days = _Measure(ws, we, cum_d, cumend_d, rate, self.hi_us)


def _midnight(ordinal: int) -> datetime:
    day = date.fromordinal(ordinal)
    return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - local wall time


def _local_ordinal(us: int, tz: ZoneInfo) -> int:
    return _from_us(us).astimezone(tz).toordinal()


def _index_for(calendar: WorkCalendar, first_us: int, last_us: int) -> _Index:
    index: _Index | None = calendar.__dict__.get("_sla_index")
    if index is not None and index.lo_us <= first_us and last_us < index.hi_us:
        return index
    tz = calendar.tz
    lo = date(date.fromordinal(_local_ordinal(first_us, tz) - 7).year, 1, 1).toordinal()
    hi = date(date.fromordinal(_local_ordinal(last_us, tz)).year + 2, 1, 1).toordinal()
    if index is not None and max(hi, index.hi) - min(lo, index.lo) <= _MAX_INDEX_DAYS:
        lo, hi = min(lo, index.lo), max(hi, index.hi)  # else: replace the cached range
    return _store_index(calendar, lo, hi)


def _grow(calendar: WorkCalendar, index: _Index) -> _Index:
    span = index.hi - index.lo
    if span > _MAX_INDEX_DAYS:
        raise ValueError("Kalender kerja tidak memiliki cukup hari kerja untuk target ini.")
    return _store_index(calendar, index.lo, index.hi + max(span, 732))


def _store_index(calendar: WorkCalendar, lo: int, hi: int) -> _Index:
    index = _Index(calendar, lo, hi)
    object.__setattr__(calendar, "_sla_index", index)  # private cache on a frozen value
    return index


# --------------------------------------------------------------------------- solving


_Pauses = list[tuple[int, int | None, str]]
T = TypeVar("T")


def _normalise_pauses(pauses: Iterable[Pause]) -> _Pauses:
    result: _Pauses = []
    for pause in pauses:
        ps = _to_us(pause.start, "Awal jeda")
        pe = None if pause.end is None else _to_us(pause.end, "Akhir jeda")
        if pe is not None and pe < ps:
            raise ValueError("Akhir jeda tidak boleh sebelum awal jeda.")
        result.append((ps, pe, pause.reason or DEFAULT_PAUSE_REASON))
    result.sort(key=lambda p: p[0])
    return result


@dataclass(slots=True)
class _Solved:
    due: int | None
    paused_since: int | None
    remaining: int
    paused: dict[str, int]
    intervals: list[tuple[int, int | None]]


def _solve(clock: _Measure | _WallClock, s: int, budget: int, pauses: _Pauses) -> _Solved:
    """Walk the pauses in time order until ``budget`` clock units have run after ``s``."""
    cur = clock.at(s)
    remaining = budget
    covered = s
    paused: dict[str, int] = {}
    intervals: list[tuple[int, int | None]] = []
    for ps, pe, reason in pauses:
        ps = max(ps, covered)
        if pe is not None and pe <= ps:
            continue
        m_ps = clock.at(ps)
        if m_ps - cur >= remaining:
            break
        remaining -= m_ps - cur
        intervals.append((ps, pe))
        if pe is None:
            return _Solved(None, ps, remaining, paused, intervals)
        cur = clock.at(pe)
        paused[reason] = paused.get(reason, 0) + cur - m_ps
        covered = pe
    return _Solved(clock.inverse(cur + remaining), None, remaining, paused, intervals)


def _effective_elapsed(clock: _Measure | _WallClock, s: int, t: int, pauses: _Pauses) -> int:
    if t <= s:
        return 0
    elapsed = clock.at(t) - clock.at(s)
    covered = s
    for ps, pe, _reason in pauses:
        ps = max(ps, covered)
        end = t if pe is None else min(pe, t)
        if end <= ps:
            continue
        elapsed -= clock.at(end) - clock.at(ps)
        covered = end
    return elapsed


@dataclass(slots=True)
class _Plan:
    clock: _Measure | _WallClock
    index: _Index | None
    s: int
    budget: int
    unit_ticks: int  # clock units per unit of the target (for reporting)
    receipt_due: int | None  # fast path: due without pauses (working days)


def _plan(start_us: int, target: Target, calendar: WorkCalendar, horizon_us: int) -> _Plan:
    """Choose the clock and the budget; may raise _NeedMoreError."""
    if target.kind is TargetKind.CALENDAR_DAYS:
        tz = calendar.tz
        end_ordinal = _local_ordinal(start_us, tz) + target.amount + 1
        end_us = _local_us(_midnight(end_ordinal), 0, tz) - 1
        return _Plan(_WALL, None, start_us, end_us - start_us, US_PER_DAY, None)
    index = _index_for(calendar, start_us, horizon_us)
    if target.kind is TargetKind.WORKING_HOURS:
        return _Plan(index.hours, index, start_us, target.amount * US_PER_HOUR, US_PER_HOUR, None)
    receipt = bisect_right(index.wd_close, start_us)
    last = receipt + target.amount
    if last >= len(index.wd_close):
        raise _NeedMoreError
    budget = (last + 1) * index.day_ticks - index.days.at(start_us)
    return _Plan(index.days, index, start_us, budget, index.day_ticks, index.wd_close[last])


def _run(
    calendar: WorkCalendar,
    start_us: int,
    horizon_us: int,
    job: Callable[[WorkCalendar, int, int], T],
) -> T:
    for _attempt in range(64):
        try:
            return job(calendar, start_us, horizon_us)
        except _NeedMoreError:
            index = calendar.__dict__.get("_sla_index")
            if index is None:  # pragma: no cover - the index is built before any raise
                raise
            _grow(calendar, index)
    raise ValueError("Kalender kerja tidak memiliki cukup hari kerja untuk target ini.")


def _horizon(start_us: int, pauses: _Pauses, *extra: int) -> int:
    last = start_us
    for ps, pe, _reason in pauses:
        last = max(last, ps if pe is None else pe)
    return max(last, *extra) if extra else last


# --------------------------------------------------------------------------- formatting


def _fmt_number(value: float) -> str:
    """Indonesian decimal comma, at most two decimals: 2 -> "2", 0.4286 -> "0,43"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "0" and value > 0:
        return "<0,01"
    return text.replace(".", ",")


def _fmt_duration(us: int, *, with_days: bool) -> str:
    seconds = round(us / US_PER_SECOND)
    days, rest = divmod(seconds, 86_400) if with_days else (0, seconds)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} hari")
    if hours:
        parts.append(f"{hours} jam")
    if minutes:
        parts.append(f"{minutes} menit")
    if secs and not days and not hours:
        parts.append(f"{secs} detik")
    return " ".join(parts) or "0 menit"


def _pause_reason(kind: TargetKind, name: str, ticks: int, unit_ticks: int) -> Reason:
    amount = ticks / unit_ticks
    if kind is TargetKind.WORKING_DAYS:
        text, unit = f"{_fmt_number(amount)} hari", "hari kerja"
    elif kind is TargetKind.WORKING_HOURS:
        text, unit = _fmt_duration(ticks, with_days=False), "jam kerja"
    else:
        text, unit = _fmt_duration(ticks, with_days=True), "hari"
    return Reason(ReasonKind.PAUSE, name, f"+{text}: {name}", amount, unit)


def _reasons(plan: _Plan, kind: TargetKind, solved: _Solved, end_us: int) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    index = plan.index
    if index is not None:
        groups: dict[tuple[ReasonKind, str], list[date]] = {}
        hol_open, hol_close = index.hol_open, index.hol_close
        j = bisect_right(hol_close, plan.s)
        while j < len(hol_open) and hol_open[j] < end_us:
            lo, hi = max(hol_open[j], plan.s), min(hol_close[j], end_us)
            hidden = any(ps <= lo and (pe is None or pe >= hi) for ps, pe in solved.intervals)
            if not hidden:
                groups.setdefault((index.hol_kind[j], index.hol_name[j]), []).append(
                    index.hol_date[j]
                )
            j += 1
        for (reason_kind, name), dates in groups.items():
            reasons.append(
                Reason(
                    reason_kind,
                    name,
                    f"+{len(dates)} hari: {name}",
                    len(dates),
                    "hari",
                    tuple(dates),
                )
            )
    for name, ticks in solved.paused.items():
        if ticks > 0:
            reasons.append(_pause_reason(kind, name, ticks, plan.unit_ticks))
    return tuple(reasons)


# --------------------------------------------------------------------------- public API


class _DueJob:
    __slots__ = ("pauses", "start", "target")

    def __init__(self, start: datetime, target: Target, pauses: _Pauses) -> None:
        self.start, self.target, self.pauses = start, target, pauses

    def __call__(self, calendar: WorkCalendar, start_us: int, horizon_us: int) -> DueResult:
        target = self.target
        plan = _plan(start_us, target, calendar, horizon_us)
        if not self.pauses and plan.receipt_due is not None:
            solved = _Solved(plan.receipt_due, None, 0, {}, [])
        else:
            solved = _solve(plan.clock, start_us, plan.budget, self.pauses)
        start = self.start.astimezone(UTC)
        if solved.due is None:
            assert solved.paused_since is not None
            return DueResult(
                start=start,
                target=target,
                state=ClockState.PAUSED,
                due=None,
                reasons=_reasons(plan, target.kind, solved, solved.paused_since),
                calendar_version=calendar.version,
                paused_since=_from_us(solved.paused_since),
                remaining=solved.remaining / plan.unit_ticks,
                remaining_fraction=solved.remaining / plan.budget,
            )
        return DueResult(
            start=start,
            target=target,
            state=ClockState.RUNNING,
            due=_from_us(solved.due),
            reasons=_reasons(plan, target.kind, solved, solved.due),
            calendar_version=calendar.version,
        )


def compute_due(
    start: datetime, target: Target, calendar: WorkCalendar, pauses: Sequence[Pause] = ()
) -> DueResult:
    """The due instant of ``target`` started at ``start`` (aware), with the reasons it moved.

    ``pauses`` may overlap, start before ``start`` (clipped) or after the due instant
    (ignored: the deadline had already passed).  At most one should be open (``end=None``).
    """
    start_us = _to_us(start, "Waktu mulai")
    normalised = _normalise_pauses(pauses)
    return _run(
        calendar, start_us, _horizon(start_us, normalised), _DueJob(start, target, normalised)
    )


class _ThresholdJob:
    __slots__ = ("pauses", "target", "threshold")

    def __init__(self, target: Target, pauses: _Pauses, threshold: Fraction) -> None:
        self.target, self.pauses, self.threshold = target, pauses, threshold

    def __call__(self, calendar: WorkCalendar, start_us: int, horizon_us: int) -> int | None:
        plan = _plan(start_us, self.target, calendar, horizon_us)
        budget = max(1, math.ceil(plan.budget * self.threshold))
        return _solve(plan.clock, start_us, budget, self.pauses).due


def at_risk_instant(
    start: datetime,
    target: Target,
    calendar: WorkCalendar,
    pauses: Sequence[Pause] = (),
    threshold: float | Fraction = DEFAULT_AT_RISK_THRESHOLD,
) -> datetime | None:
    """The instant at which ``threshold`` (0 < t < 1) of the target's time has been used.

    Time is measured on the target's own clock (working-day units, working hours or wall
    time) with pauses excluded.  ``None`` when an open pause stops the clock first.
    """
    errors = validate_threshold(threshold)
    if errors:
        raise TargetError(errors)
    start_us = _to_us(start, "Waktu mulai")
    normalised = _normalise_pauses(pauses)
    # A float threshold means its decimal value (0.9 -> 9/10, not the binary 0.9000…0222).
    exact = threshold if isinstance(threshold, Fraction) else Fraction(str(threshold))
    job = _ThresholdJob(target, normalised, exact)
    result = _run(calendar, start_us, _horizon(start_us, normalised), job)
    return None if result is None else _from_us(result)


class _FractionJob:
    __slots__ = ("now", "pauses", "target")

    def __init__(self, target: Target, pauses: _Pauses, now: int) -> None:
        self.target, self.pauses, self.now = target, pauses, now

    def __call__(self, calendar: WorkCalendar, start_us: int, horizon_us: int) -> float:
        plan = _plan(start_us, self.target, calendar, horizon_us)
        elapsed = _effective_elapsed(plan.clock, start_us, self.now, self.pauses)
        return elapsed / plan.budget


def elapsed_fraction(
    start: datetime,
    target: Target,
    calendar: WorkCalendar,
    now: datetime,
    pauses: Sequence[Pause] = (),
) -> float:
    """Fraction of the target's time used at ``now`` (0 before start; > 1 when overdue).

    Compare with the policy's at-risk threshold (default 0.75) to flag "berisiko".
    """
    start_us = _to_us(start, "Waktu mulai")
    now_us = _to_us(now, "Waktu sekarang")
    normalised = _normalise_pauses(pauses)
    job = _FractionJob(target, normalised, now_us)
    return _run(calendar, start_us, _horizon(start_us, normalised, now_us), job)


class _BetweenJob:
    __slots__ = ("end", "pauses")

    def __init__(self, end: int, pauses: _Pauses) -> None:
        self.end, self.pauses = end, pauses

    def __call__(self, calendar: WorkCalendar, start_us: int, horizon_us: int) -> int:
        index = _index_for(calendar, start_us, horizon_us)
        return _effective_elapsed(index.hours, start_us, self.end, self.pauses)


def working_time_between(
    a: datetime, b: datetime, calendar: WorkCalendar, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Working time in ``[a, b)`` (open windows, no holidays), minus pauses; 0 if b <= a."""
    a_us = _to_us(a, "Waktu awal")
    b_us = _to_us(b, "Waktu akhir")
    if b_us <= a_us:
        return timedelta(0)
    normalised = _normalise_pauses(pauses)
    elapsed = _run(calendar, a_us, b_us, _BetweenJob(b_us, normalised))
    return timedelta(microseconds=elapsed)
