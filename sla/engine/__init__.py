"""Pure SLA deadline engine (no Django): due dates, their reasons, and the at-risk point.

Time model
==========
* A :class:`WorkCalendar` describes, in **local wall time** of its zone (WIB, WITA or WIT),
  the working windows of each weekday (several per day: lunch break, Friday's longer
  prayer break; a weekday without windows is not a working day) and the holidays
  (national, cuti bersama, local).  A *working day* is a weekday with windows that is not
  a holiday.  Windows are half-open ``[start, end)``.
* Indonesian zones (WIB +07, WITA +08, WIT +09) observe no daylight saving time.  The
  engine does not rely on that: it converts every local window to an instant with
  :mod:`zoneinfo`, day by day, so a zone with DST would still work (a day's length is
  whatever its windows measure; a window inside a skipped hour shrinks).  Leap days are
  ordinary days.  The same local schedule gives the same local results in every zone.
* Inputs must be timezone-aware; ``due`` is returned as an aware UTC datetime (use
  ``DueResult.due_local(calendar.tz)`` to display it).

Targets (``Target.kind``)
=========================
``WORKING_HOURS`` N
    The due instant is the moment at which N hours of open working windows have elapsed
    after the start, not counting paused time.  Starting outside working time means the
    clock begins at the next window.
``WORKING_DAYS`` N -- "selesai dalam N hari kerja"
    The *day of receipt* is the first working day whose working time has not yet ended
    at the start instant (so a start before closing time, even before opening, is received
    that day; a start after closing time, on a weekend or on a holiday is received on the
    next working day -- "dianggap diterima pada hari kerja berikutnya").  The day of
    receipt is **not** counted, as in Indonesian standar pelayanan (the jangka waktu runs
    from the day after the complete application is received).  The due instant is the
    **end of the last working window of the N-th working day after the day of receipt**
    (close of business).  Example: received Monday 10:00, 5 hari kerja, no holidays ->
    due the following Monday at closing time.
``CALENDAR_DAYS`` N
    Due at the end of the local day ``start date + N`` (23:59:59.999999 local).  Holidays
    and weekends do **not** extend it: calendar days are calendar days.

Pauses (``Pause(start, end | None, reason)``)
=============================================
While paused (waiting for the applicant) the clock does not run.  Each target runs on its
own clock and a pause extends the deadline by exactly the amount of that clock it covered:

* working hours: the working time inside the pause (so a pause of N working hours moves
  the due instant by exactly N working hours);
* working days: working-day units -- every working day counts as 1 whatever its length
  (Friday's 6.5 h = Monday's 7 h = 1), a part of a day counts pro rata.  Pausing for the
  whole of two working days therefore moves the deadline by exactly two working days
  (still at closing time); a partial-day pause can leave the deadline inside a day;
* calendar days: the wall-clock length of the pause.

Pauses may overlap or start before the start instant (clipped).  A pause that begins after
the deadline has already passed changes nothing.  An **open** pause (``end=None``) that
begins before the deadline stops the clock: ``compute_due`` returns ``state=PAUSED``,
``due=None``, ``paused_since`` and the budget left (``remaining`` in the target's unit and
``remaining_fraction``).  Give the pause an end (e.g. now) to get the deadline "if resumed
now".

Reasons
=======
``DueResult.reasons`` explains every day the deadline moved, aggregated per holiday name
and per pause reason, e.g. ``"+1 hari: Hari Raya Idul Fitri"``, ``"+3 hari: Cuti Bersama
Hari Raya Idul Fitri"``, ``"+2 hari: menunggu perbaikan dari pemohon"``.  A holiday is
listed when it falls on a working weekday between the start and the deadline (its
would-be working time is after the start) and is not entirely inside a pause; weekends are
normal and never listed; holidays on a weekend moved nothing and are not listed.  For
working-day targets without pauses the listed holiday days are exactly the shift compared
with the same calendar without those holidays.  Calendar-day targets list only pauses.

At risk
=======
``at_risk_instant(..., threshold=0.75)`` is the instant at which that fraction of the
target's clock budget (measured from the start, pauses excluded) is used;
``elapsed_fraction(start, target, calendar, now, pauses)`` is the fraction used at ``now``;
``working_time_between(a, b, calendar, pauses)`` is plain working time.

Performance
===========
Each calendar caches an index of its working windows (sorted arrays, cumulative clocks)
on first use, so a computation is a few ``bisect`` calls; see ``bench/bench_sla.py``.
"""

from .calendar import (
    DEFAULT_WINDOWS,
    DEFAULT_WORKING_WEEKDAYS,
    FRIDAY_WINDOWS,
    INDONESIAN_TIMEZONES,
    WEEKDAY_NAMES,
    CalendarError,
    Holiday,
    HolidayCategory,
    ValidationError,
    WorkCalendar,
    WorkWindow,
    validate_calendar,
)
from .core import (
    DEFAULT_AT_RISK_THRESHOLD,
    DEFAULT_PAUSE_REASON,
    ClockState,
    DueResult,
    Pause,
    Reason,
    ReasonKind,
    Target,
    TargetError,
    TargetKind,
    at_risk_instant,
    compute_due,
    elapsed_fraction,
    validate_target,
    validate_threshold,
    working_time_between,
)

__all__ = [
    "DEFAULT_AT_RISK_THRESHOLD",
    "DEFAULT_PAUSE_REASON",
    "DEFAULT_WINDOWS",
    "DEFAULT_WORKING_WEEKDAYS",
    "FRIDAY_WINDOWS",
    "INDONESIAN_TIMEZONES",
    "WEEKDAY_NAMES",
    "CalendarError",
    "ClockState",
    "DueResult",
    "Holiday",
    "HolidayCategory",
    "Pause",
    "Reason",
    "ReasonKind",
    "Target",
    "TargetError",
    "TargetKind",
    "ValidationError",
    "WorkCalendar",
    "WorkWindow",
    "at_risk_instant",
    "compute_due",
    "elapsed_fraction",
    "validate_calendar",
    "validate_target",
    "validate_threshold",
    "working_time_between",
]
