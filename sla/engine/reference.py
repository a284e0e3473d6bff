"""Slow, obviously-correct reference implementations (test oracle and benchmark baseline).

They walk the calendar day by day with ``datetime`` and :class:`~fractions.Fraction`
arithmetic, like Frappe Helpdesk's ``calc_time``, and share no code with
``sla.engine.core`` beyond the calendar value itself.  Never use them in production.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from .calendar import WorkCalendar
from .core import Pause, Target, TargetKind

__all__ = ["naive_working_days_due", "reference_due"]

_FAR = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)
_MAX_DAYS = 40_000


def _windows(calendar: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if not calendar.is_working_day(day):
        return []
    tz = calendar.tz
    midnight = datetime.combine(day, time())
    result = []
    for window in calendar.week[day.weekday()]:
        a = (midnight + timedelta(seconds=window.start)).replace(tzinfo=tz)
        b = (midnight + timedelta(seconds=window.end)).replace(tzinfo=tz)
        result.append((a.astimezone(UTC), b.astimezone(UTC)))
    return result


def naive_working_days_due(start: datetime, amount: int, calendar: WorkCalendar) -> datetime:
    """Working-day due date, one day at a time (no pauses): the benchmark baseline."""
    day = start.astimezone(calendar.tz).date()
    while True:
        windows = _windows(calendar, day)
        if windows and windows[-1][1] > start:
            break
        day += timedelta(days=1)
    counted = 0
    while counted < amount:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return _windows(calendar, day)[-1][1]


def _subtract(
    a: datetime, b: datetime, pauses: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    parts = [(a, b)]
    for ps, pe in pauses:
        nxt = []
        for x, y in parts:
            if pe <= x or ps >= y:
                nxt.append((x, y))
                continue
            if x < ps:
                nxt.append((x, ps))
            if pe < y:
                nxt.append((pe, y))
        parts = nxt
    return parts


def reference_due(
    start: datetime, target: Target, calendar: WorkCalendar, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """Due instant (UTC) with the semantics documented in ``sla.engine``; ``None`` if paused."""
    start = start.astimezone(UTC)
    spans = [
        (p.start.astimezone(UTC), _FAR if p.end is None else p.end.astimezone(UTC)) for p in pauses
    ]
    tz = calendar.tz
    if target.kind is TargetKind.CALENDAR_DAYS:
        end_day = start.astimezone(tz).date() + timedelta(days=target.amount + 1)
        end = datetime.combine(end_day, time(), tzinfo=tz).astimezone(UTC) - timedelta(
            microseconds=1
        )
        budget = end - start
        return _walk_wall(start, budget, spans)
    day = start.astimezone(tz).date() - timedelta(days=1)
    if target.kind is TargetKind.WORKING_HOURS:
        remaining: Fraction = Fraction(target.amount * 3600 * 10**6)
    else:
        while True:  # day of receipt
            day += timedelta(days=1)
            windows = _windows(calendar, day)
            if windows and windows[-1][1] > start:
                break
        length = sum(_us(b - a) for a, b in windows)
        left = sum(_us(b - max(a, start)) for a, b in windows if b > start)
        remaining = target.amount + Fraction(left, length)
        day -= timedelta(days=1)
    for _ in range(_MAX_DAYS):
        day += timedelta(days=1)
        windows = _windows(calendar, day)
        length = sum(_us(b - a) for a, b in windows)
        for a, b in windows:
            if b <= start:
                continue
            for x, y in _subtract(max(a, start), b, spans):
                span_us = _us(y - x)
                amount = (
                    Fraction(span_us)
                    if target.kind is TargetKind.WORKING_HOURS
                    else Fraction(span_us, length)
                )
                if amount >= remaining:
                    needed = (
                        remaining if target.kind is TargetKind.WORKING_HOURS else remaining * length
                    )
                    return x + timedelta(microseconds=math.ceil(needed))
                remaining -= amount
        if any(pe == _FAR and ps.astimezone(tz).date() <= day for ps, pe in spans):
            return None
    raise AssertionError("no due date found")  # pragma: no cover


def _walk_wall(
    start: datetime, budget: timedelta, spans: list[tuple[datetime, datetime]]
) -> datetime | None:
    cur, remaining = start, budget
    covered = start
    for ps, pe in sorted(spans):
        ps = max(ps, covered)
        if pe <= ps:
            continue
        if ps - cur >= remaining:
            break
        if pe == _FAR:
            return None
        remaining -= ps - cur
        cur = covered = pe
    return cur + remaining


def _us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)
