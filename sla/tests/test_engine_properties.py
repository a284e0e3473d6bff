"""Property-based tests (hypothesis) for the SLA deadline engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sla.engine import (
    ClockState,
    Holiday,
    HolidayCategory,
    Pause,
    ReasonKind,
    Target,
    TargetKind,
    WorkCalendar,
    WorkWindow,
    at_risk_instant,
    compute_due,
    elapsed_fraction,
    working_time_between,
)
from sla.engine.calendar import Week
from sla.engine.reference import reference_due

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def weeks(draw: st.DrawFn) -> Week:
    working = draw(st.sets(st.integers(0, 6), min_size=1))
    week: list[tuple[WorkWindow, ...]] = []
    for weekday in range(7):
        if weekday not in working:
            week.append(())
            continue
        points = sorted(draw(st.lists(st.integers(0, 48), min_size=2, max_size=6, unique=True)))
        points = points[: len(points) // 2 * 2]
        week.append(
            tuple(
                WorkWindow(points[i] * 1800, points[i + 1] * 1800) for i in range(0, len(points), 2)
            )
        )
    return tuple(week)


holiday_maps = st.dictionaries(
    st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    st.sampled_from(
        [
            Holiday("Libur Nasional", HolidayCategory.NASIONAL),
            Holiday("Cuti Bersama Idul Fitri", HolidayCategory.CUTI_BERSAMA),
            Holiday("Hari Jadi Kabupaten", HolidayCategory.LOKAL),
        ]
    ),
    max_size=40,
)
local_starts = st.datetimes(datetime(2026, 1, 1), datetime(2028, 6, 30))
targets = st.one_of(
    st.integers(1, 10).map(Target.working_days),
    st.integers(1, 40).map(Target.working_hours),
    st.integers(1, 20).map(Target.calendar_days),
)


@st.composite
def pause_lists(draw: st.DrawFn, start: datetime) -> list[Pause]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(-3 * 1440, 25 * 1440)))
        if draw(st.integers(0, 9)) == 0:
            result.append(Pause(begin))
        else:
            result.append(Pause(begin, begin + timedelta(minutes=draw(st.integers(0, 8 * 1440)))))
    return result


def _calendar(zone: str, week: Week, holidays: dict[date, Holiday]) -> WorkCalendar:
    return WorkCalendar(
        timezone=zone, week=week, holidays=tuple((d, (h,)) for d, h in holidays.items())
    )


@SETTINGS
@given(
    zone=st.sampled_from(ZONES),
    week=weeks(),
    holidays=holiday_maps,
    local_start=local_starts,
    target=targets,
    data=st.data(),
)
def test_due_after_start_and_matches_reference(zone, week, holidays, local_start, target, data):
    calendar = _calendar(zone, week, holidays)
    start = local_start.replace(tzinfo=ZoneInfo(zone))
    pauses = data.draw(pause_lists(start))
    result = compute_due(start, target, calendar, pauses)
    assert result.due == reference_due(start, target, calendar, pauses)
    if result.state is ClockState.RUNNING:
        assert result.due is not None and result.due >= start
        assert result.due > start
    else:
        assert result.due is None and result.paused_since is not None
        assert 0 < (result.remaining_fraction or 0) <= 1


@SETTINGS
@given(
    week=weeks(),
    holidays=holiday_maps,
    extra=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    local_start=local_starts,
    target=targets,
    data=st.data(),
)
def test_adding_a_holiday_never_makes_the_due_date_earlier(
    week, holidays, extra, local_start, target, data
):
    calendar = _calendar("Asia/Jakarta", week, holidays)
    more = _calendar("Asia/Jakarta", week, {**holidays, extra: Holiday("Tambahan")})
    start = local_start.replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    pauses = data.draw(pause_lists(start))
    before = compute_due(start, target, calendar, pauses)
    after = compute_due(start, target, more, pauses)
    if before.due is None:  # paused: a holiday cannot make the clock run again
        assert after.due is None
    elif after.due is not None:
        assert after.due >= before.due


@SETTINGS
@given(
    zone=st.sampled_from(ZONES),
    week=weeks(),
    holidays=holiday_maps,
    local_start=local_starts,
    hours=st.integers(1, 60),
    where=st.floats(0, 1, exclude_max=True),
    length=st.integers(0, 6 * 1440),
)
def test_pause_of_n_working_hours_moves_due_by_exactly_n(
    zone, week, holidays, local_start, hours, where, length
):
    calendar = _calendar(zone, week, holidays)
    start = local_start.replace(tzinfo=ZoneInfo(zone))
    target = Target.working_hours(hours)
    due = compute_due(start, target, calendar).due
    assert due is not None
    pause_start = start + (due - start) * where
    assume(pause_start < due)  # a pause starting at the deadline is too late to move it
    pause = Pause(pause_start, pause_start + timedelta(minutes=length))
    paused = working_time_between(pause.start, pause.end, calendar)  # type: ignore[arg-type]
    moved = compute_due(start, target, calendar, [pause])
    assert moved.due is not None
    assert working_time_between(due, moved.due, calendar) == paused
    if paused:
        assert moved.reasons[-1].kind is ReasonKind.PAUSE
        assert moved.reasons[-1].amount == paused / timedelta(hours=1)


@SETTINGS
@given(
    week=weeks(),
    holidays=holiday_maps,
    local_start=local_starts,
    days=st.integers(1, 8),
    offset=st.integers(0, 7),
    paused_days=st.integers(1, 4),
)
def test_pause_of_whole_working_days_moves_due_by_whole_days(
    week, holidays, local_start, days, offset, paused_days
):
    calendar = _calendar("Asia/Jayapura", week, holidays)
    start = local_start.replace(tzinfo=ZoneInfo("Asia/Jayapura"))
    base = compute_due(start, Target.working_days(days), calendar)
    assert base.due is not None
    # Pick the working days right after the receipt day (as local dates) ...
    tz = calendar.tz
    day = start.astimezone(tz).date()
    working: list[date] = []
    while len(working) < offset + paused_days + 2:
        if calendar.is_working_day(day):
            working.append(day)
        day += timedelta(days=1)
    first, last = working[1 + offset], working[offset + paused_days]
    assume(first > start.astimezone(tz).date())
    opening = calendar.week[first.weekday()][0].start
    closing = calendar.week[last.weekday()][-1].end
    pause = Pause(
        datetime.combine(first, datetime.min.time(), tz) + timedelta(seconds=opening),
        datetime.combine(last, datetime.min.time(), tz) + timedelta(seconds=closing),
    )
    assume(pause.start > start)
    assume(pause.start < base.due)
    moved = compute_due(start, Target.working_days(days), calendar, [pause])
    # ... the deadline moves by exactly that many working days, still at closing time.
    assert moved.due == compute_due(start, Target.working_days(days + paused_days), calendar).due
    assert moved.reasons[-1].kind is ReasonKind.PAUSE
    assert moved.reasons[-1].amount == paused_days


@SETTINGS
@given(
    week=weeks(),
    holidays=holiday_maps,
    local_start=local_starts,
    target=targets,
    data=st.data(),
)
def test_same_local_schedule_gives_same_local_result_in_wib_wita_wit(
    week, holidays, local_start, target, data
):
    offsets = data.draw(
        st.lists(st.tuples(st.integers(-2 * 1440, 20 * 1440), st.integers(0, 5 * 1440)), max_size=2)
    )
    local_results = set()
    for zone in ZONES:
        tz = ZoneInfo(zone)
        calendar = _calendar(zone, week, holidays)
        start = local_start.replace(tzinfo=tz)
        pauses = [
            Pause(start + timedelta(minutes=a), start + timedelta(minutes=a + b))
            for a, b in offsets
        ]
        result = compute_due(start, target, calendar, pauses)
        assert result.due is not None
        local_results.add((result.due.astimezone(tz).replace(tzinfo=None), tuple(result.labels)))
    assert len(local_results) == 1


@SETTINGS
@given(week=weeks(), holidays=holiday_maps, local_start=local_starts, days=st.integers(1, 10))
def test_listed_holidays_are_exactly_the_shift(week, holidays, local_start, days):
    calendar = _calendar("Asia/Makassar", week, holidays)
    bare = _calendar("Asia/Makassar", week, {})
    start = local_start.replace(tzinfo=ZoneInfo("Asia/Makassar"))
    result = compute_due(start, Target.working_days(days), calendar)
    shift = sum(int(r.amount) for r in result.reasons)
    assert all(r.kind is not ReasonKind.PAUSE for r in result.reasons)
    assert all(
        calendar.week[d.weekday()] and d in calendar.holiday_map
        for r in result.reasons
        for d in r.dates
    )
    assert compute_due(start, Target.working_days(days + shift), bare).due == result.due


@SETTINGS
@given(
    week=weeks(),
    holidays=holiday_maps,
    local_start=local_starts,
    target=targets,
    threshold=st.sampled_from([0.25, 0.5, 0.75, 0.9]),
    data=st.data(),
)
def test_at_risk_instant_is_where_the_threshold_is_reached(
    week, holidays, local_start, target, threshold, data
):
    calendar = _calendar("Asia/Jakarta", week, holidays)
    start = local_start.replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    pauses = [p for p in data.draw(pause_lists(start)) if p.end is not None]
    risk = at_risk_instant(start, target, calendar, pauses, threshold)
    due = compute_due(start, target, calendar, pauses).due
    assert risk is not None and due is not None
    assert start < risk <= due
    assert elapsed_fraction(start, target, calendar, risk, pauses) >= threshold
    just_before = risk - timedelta(microseconds=1)
    assert elapsed_fraction(start, target, calendar, just_before, pauses) < threshold
    assert elapsed_fraction(start, target, calendar, due, pauses) >= 1
    assert elapsed_fraction(start, target, calendar, due - timedelta(microseconds=1), pauses) < 1


@settings(max_examples=60, deadline=None)
@given(
    local_start=st.datetimes(datetime(2028, 2, 1), datetime(2028, 3, 10)),
    target=targets,
    zone=st.sampled_from(ZONES),
)
def test_leap_year_february_2028(local_start, target, zone):
    calendar = WorkCalendar.create(timezone=zone)
    start = local_start.replace(tzinfo=ZoneInfo(zone))
    result = compute_due(start, target, calendar)
    assert result.due == reference_due(start, target, calendar)
    if target.kind is TargetKind.CALENDAR_DAYS:
        local_due = result.due.astimezone(calendar.tz)  # type: ignore[union-attr]
        assert local_due.date() == local_start.date() + timedelta(days=target.amount)
