"""Example tests for the pure SLA deadline engine (no Django needed)."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.engine import (
    FRIDAY_WINDOWS,
    CalendarError,
    ClockState,
    Holiday,
    HolidayCategory,
    Pause,
    ReasonKind,
    Target,
    TargetError,
    TargetKind,
    WorkCalendar,
    WorkWindow,
    at_risk_instant,
    compute_due,
    elapsed_fraction,
    validate_calendar,
    validate_target,
    validate_threshold,
    working_time_between,
)
from sla.engine.reference import naive_working_days_due, reference_due
from sla.holidays_id import build_holiday_map, national_holidays

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def wib(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=WIB)


@pytest.fixture(scope="module")
def holidays_2026() -> dict[date, tuple[Holiday, ...]]:
    return build_holiday_map(range(2025, 2028))


@pytest.fixture(scope="module")
def cal_2026(holidays_2026: dict[date, tuple[Holiday, ...]]) -> WorkCalendar:
    return WorkCalendar.create(holidays=holidays_2026, version="2026-01")


@pytest.fixture(scope="module")
def plain() -> WorkCalendar:
    """Mon-Fri, 08-12 + 13-16, Friday 08-11:30 + 13:30-16:30, no holidays."""
    return WorkCalendar.create(version="plain")


# --------------------------------------------------------------------------- holidays_id


def test_holidays_id_2026_names_and_categories(holidays_2026):
    assert holidays_2026[date(2026, 3, 21)] == (
        Holiday("Hari Raya Idul Fitri", HolidayCategory.NASIONAL),
    )
    assert holidays_2026[date(2026, 3, 20)] == (
        Holiday("Cuti Bersama Hari Raya Idul Fitri", HolidayCategory.CUTI_BERSAMA),
    )
    assert holidays_2026[date(2026, 8, 17)][0].name == "Hari Kemerdekaan Republik Indonesia"


def test_holidays_id_cuti_bersama_toggle_and_local():
    without = national_holidays(2026, include_cuti_bersama=False)
    assert date(2026, 3, 20) not in without
    assert date(2026, 3, 19) in without
    merged = build_holiday_map(
        [2026],
        include_cuti_bersama=False,
        local={date(2026, 5, 20): "Hari Jadi Kabupaten Contoh", date(2026, 8, 17): ["Pawai"]},
    )
    assert merged[date(2026, 5, 20)] == (
        Holiday("Hari Jadi Kabupaten Contoh", HolidayCategory.LOKAL),
    )
    assert [h.category for h in merged[date(2026, 8, 17)]] == [
        HolidayCategory.NASIONAL,
        HolidayCategory.LOKAL,
    ]


# --------------------------------------------------------------------------- working days


def test_idul_fitri_and_cuti_bersama_2026_push_five_working_days(cal_2026):
    result = compute_due(wib(2026, 3, 17, 10, 0), Target.working_days(5), cal_2026)
    # Received Tue 17 Mar (not counted).  18 cuti bersama Nyepi, 19 Nyepi, 20 cuti bersama,
    # 21-22 weekend (Idul Fitri falls on Saturday: moves nothing), 23-24 cuti bersama;
    # then Wed 25, Thu 26, Fri 27, Mon 30, Tue 31 -> close of business Tue 31 Mar.
    assert result.state is ClockState.RUNNING
    assert result.due == wib(2026, 3, 31, 16, 0)
    assert result.due is not None and result.due.tzinfo is UTC
    assert result.labels == [
        "+1 hari: Cuti Bersama Hari Suci Nyepi",
        "+1 hari: Hari Suci Nyepi",
        "+3 hari: Cuti Bersama Hari Raya Idul Fitri",
    ]
    idul_fitri = result.reasons[2]
    assert idul_fitri.kind is ReasonKind.CUTI_BERSAMA
    assert idul_fitri.dates == (date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24))
    assert result.reasons[1].kind is ReasonKind.HOLIDAY
    assert result.calendar_version == "2026-01"
    # shift = listed holiday days: same due as 5 + 5 working days on a holiday-free calendar
    bare = compute_due(wib(2026, 3, 17, 10, 0), Target.working_days(10), WorkCalendar.create())
    assert bare.due == result.due


def test_cuti_bersama_toggled_off():
    cal = WorkCalendar.create(holidays=national_holidays(2026, include_cuti_bersama=False))
    result = compute_due(wib(2026, 3, 17, 10, 0), Target.working_days(5), cal)
    assert result.due == wib(2026, 3, 25, 16, 0)
    assert result.labels == ["+1 hari: Hari Suci Nyepi"]


def test_receipt_day_rules(plain):
    five = Target.working_days(5)
    # Monday during office hours: Monday not counted -> next Monday, close of business.
    assert compute_due(wib(2026, 6, 8, 10, 0), five, plain).due == wib(2026, 6, 15, 16, 0)
    # Before opening: still received that day.
    assert compute_due(wib(2026, 6, 8, 6, 0), five, plain).due == wib(2026, 6, 15, 16, 0)
    # After closing / exactly at closing: received the next working day.
    assert compute_due(wib(2026, 6, 8, 16, 0), five, plain).due == wib(2026, 6, 16, 16, 0)
    assert compute_due(wib(2026, 6, 8, 19, 0), five, plain).due == wib(2026, 6, 16, 16, 0)
    # Saturday (online submission): received Monday, due the Monday after.
    assert compute_due(wib(2026, 6, 13, 9, 0), five, plain).due == wib(2026, 6, 22, 16, 0)
    # A due date on a Friday ends at Friday's closing time, 16:30.
    assert compute_due(wib(2026, 6, 8, 10, 0), Target.working_days(4), plain).due == wib(
        2026, 6, 12, 16, 30
    )


def test_start_on_a_holiday_counts_the_holiday(cal_2026):
    # 17 Aug 2026 (Monday) is Independence Day: received Tuesday, due Tuesday + 1.
    result = compute_due(wib(2026, 8, 17, 9, 0), Target.working_days(1), cal_2026)
    assert result.due == wib(2026, 8, 19, 16, 0)
    assert result.labels == ["+1 hari: Hari Kemerdekaan Republik Indonesia"]


def test_saturday_working_calendar():
    cal = WorkCalendar.create(
        working_weekdays=range(6),
        weekday_windows={4: FRIDAY_WINDOWS, 5: (WorkWindow.parse("08:00", "12:00"),)},
    )
    assert cal.working_weekdays == frozenset(range(6))
    assert compute_due(wib(2026, 6, 10, 10, 0), Target.working_days(3), cal).due == wib(
        2026, 6, 13, 12, 0
    )
    # Saturday's 4 hours count as working hours.
    # Fri 16:00-16:30 + Sat 08:00-12:00 = 4.5 h, then Monday 08:00-08:30.
    assert compute_due(wib(2026, 6, 12, 16, 0), Target.working_hours(5), cal).due == wib(
        2026, 6, 15, 8, 30
    )


# --------------------------------------------------------------------------- working hours


def test_working_hours_across_lunch_break(plain):
    assert compute_due(wib(2026, 6, 8, 11, 0), Target.working_hours(2), plain).due == wib(
        2026, 6, 8, 14, 0
    )
    # Starting inside the break: the clock starts at 13:00.
    assert compute_due(wib(2026, 6, 8, 12, 15), Target.working_hours(1), plain).due == wib(
        2026, 6, 8, 14, 0
    )
    # Ending exactly at a window end.
    assert compute_due(wib(2026, 6, 8, 8, 0), Target.working_hours(4), plain).due == wib(
        2026, 6, 8, 12, 0
    )


def test_friday_prayer_break(plain):
    assert compute_due(wib(2026, 6, 12, 11, 0), Target.working_hours(1), plain).due == wib(
        2026, 6, 12, 14, 0
    )
    # Friday after 16:00 is still working time (until 16:30).
    assert compute_due(wib(2026, 6, 12, 16, 0), Target.working_hours(1), plain).due == wib(
        2026, 6, 15, 8, 30
    )
    assert working_time_between(wib(2026, 6, 12, 0, 0), wib(2026, 6, 13, 0, 0), plain) == (
        timedelta(hours=6, minutes=30)
    )


# --------------------------------------------------------------------------- calendar days


def test_calendar_days_are_not_extended_by_holidays(cal_2026):
    result = compute_due(wib(2026, 3, 18, 10, 0), Target.calendar_days(3), cal_2026)
    assert result.due == wib(2026, 3, 21, 23, 59, 59, 999_999)  # Idul Fitri: no extension
    assert result.reasons == ()


def test_leap_day_2028(plain):
    # 28 Feb 2028 is a Monday, 29 Feb a Tuesday.
    assert compute_due(wib(2028, 2, 28, 9, 0), Target.working_days(1), plain).due == wib(
        2028, 2, 29, 16, 0
    )
    assert compute_due(wib(2028, 2, 28, 9, 0), Target.calendar_days(2), plain).due == wib(
        2028, 3, 1, 23, 59, 59, 999_999
    )
    assert compute_due(wib(2028, 2, 25, 9, 0), Target.working_days(3), plain).due == wib(
        2028, 3, 1, 16, 0
    )


# --------------------------------------------------------------------------- pauses


def test_pause_moves_working_hours_due_by_its_working_duration(plain):
    start, target = wib(2026, 6, 8, 8, 0), Target.working_hours(10)
    assert compute_due(start, target, plain).due == wib(2026, 6, 9, 11, 0)
    pause = Pause(wib(2026, 6, 8, 9, 0), wib(2026, 6, 8, 11, 0))
    result = compute_due(start, target, plain, [pause])
    assert result.due == wib(2026, 6, 9, 14, 0)  # +2 working hours, across lunch
    assert result.labels == ["+2 jam: menunggu perbaikan dari pemohon"]
    assert result.reasons[0].amount == 2 and result.reasons[0].unit == "jam kerja"
    # A pause over non-working time changes nothing and is not listed.
    night = Pause(wib(2026, 6, 8, 18, 0), wib(2026, 6, 9, 7, 0))
    assert compute_due(start, target, plain, [night]).labels == []


def test_pause_of_whole_working_days(plain):
    start, target = wib(2026, 6, 8, 10, 0), Target.working_days(5)
    base = compute_due(start, target, plain)
    assert base.due == wib(2026, 6, 15, 16, 0)
    # Waiting for the applicant from Wed 08:00 to Thu 16:00: two full working days.
    pause = Pause(wib(2026, 6, 10, 8, 0), wib(2026, 6, 11, 16, 0))
    result = compute_due(start, target, plain, [pause])
    assert result.due == wib(2026, 6, 17, 16, 0)
    assert result.labels == ["+2 hari: menunggu perbaikan dari pemohon"]
    # Half a day (Wed 13:00 -> Thu 08:00 = 3 of 7 hours) is pro rata: due inside the day.
    half = Pause(wib(2026, 6, 10, 13, 0), wib(2026, 6, 11, 8, 0))
    result = compute_due(start, target, plain, [half])
    assert result.due == wib(2026, 6, 16, 11, 0)
    assert result.labels == ["+0,43 hari: menunggu perbaikan dari pemohon"]


def test_holiday_inside_a_pause_is_not_listed(cal_2026):
    start = wib(2026, 3, 16, 10, 0)
    pause = Pause(wib(2026, 3, 16, 11, 0), wib(2026, 3, 26, 11, 0))
    result = compute_due(start, Target.working_days(5), cal_2026, [pause])
    # Paused working time: Mon 4/7 + Tue 1 + Wed 25 1 + Thu 26 3/7 = 3 working days.
    assert result.due == wib(2026, 4, 2, 16, 0)
    assert result.labels == ["+3 hari: menunggu perbaikan dari pemohon"]


def test_open_pause_stops_the_clock(plain):
    start, target = wib(2026, 6, 8, 10, 0), Target.working_days(5)
    result = compute_due(start, target, plain, [Pause(wib(2026, 6, 8, 11, 0))])
    assert result.state is ClockState.PAUSED and result.is_paused
    assert result.due is None
    assert result.paused_since == wib(2026, 6, 8, 11, 0)
    # Budget: 5 h left of the receipt day (5/7) + 5 days; 1 h used -> 5 + 4/7 left.
    assert result.remaining == pytest.approx(5 + 4 / 7)
    assert result.remaining_fraction == pytest.approx((5 + 4 / 7) / (5 + 5 / 7))
    assert at_risk_instant(start, target, plain, [Pause(wib(2026, 6, 8, 11, 0))]) is None
    # Resumed Wed 11:00: Mon 11-16 (4/7) + Tue (1) + Wed 8-11 (3/7) = 2 days paused.
    resumed = compute_due(
        start, target, plain, [Pause(wib(2026, 6, 8, 11, 0), wib(2026, 6, 10, 11, 0))]
    )
    assert resumed.due == wib(2026, 6, 17, 16, 0)
    # An open pause that starts after the deadline changes nothing (already overdue).
    late = compute_due(start, target, plain, [Pause(wib(2026, 6, 20, 9, 0))])
    assert late.state is ClockState.RUNNING and late.due == wib(2026, 6, 15, 16, 0)


def test_overlapping_pauses_count_once(plain):
    start, target = wib(2026, 6, 8, 8, 0), Target.working_hours(10)
    pauses = [
        Pause(wib(2026, 6, 8, 9, 0), wib(2026, 6, 8, 11, 0), "menunggu pembayaran"),
        Pause(wib(2026, 6, 8, 10, 0), wib(2026, 6, 8, 11, 0)),
        Pause(wib(2026, 6, 7, 10, 0), wib(2026, 6, 8, 8, 30)),  # starts before the start
    ]
    result = compute_due(start, target, plain, pauses)
    assert result.due == wib(2026, 6, 9, 14, 30)
    assert result.labels == [
        "+30 menit: menunggu perbaikan dari pemohon",
        "+2 jam: menunggu pembayaran",
    ]


def test_calendar_days_pause(plain):
    pause = Pause(wib(2026, 6, 9, 0, 0), wib(2026, 6, 11, 6, 0))
    result = compute_due(wib(2026, 6, 8, 10, 0), Target.calendar_days(3), plain, [pause])
    # 3 calendar days -> end of Thu 11 Jun; + 2 days 6 hours of pause -> Sun 14 Jun 05:59.
    assert result.due == wib(2026, 6, 14, 5, 59, 59, 999_999)
    assert result.labels == ["+2 hari 6 jam: menunggu perbaikan dari pemohon"]


# --------------------------------------------------------------------------- reasons


def test_several_holidays_on_one_day_count_once():
    day = date(2026, 6, 9)
    entries: dict[date, Holiday | list[Holiday]] = {
        day: [
            Holiday("Hari Jadi Kabupaten Contoh", HolidayCategory.LOKAL),
            Holiday("Libur Contoh", HolidayCategory.NASIONAL),
        ],
        date(2026, 6, 10): Holiday("Idul Fitri", HolidayCategory.CUTI_BERSAMA),
    }
    cal = WorkCalendar.create(holidays=entries)
    result = compute_due(wib(2026, 6, 8, 10, 0), Target.working_days(1), cal)
    assert result.due == wib(2026, 6, 11, 16, 0)
    assert result.labels == [
        "+1 hari: Libur Contoh / Hari Jadi Kabupaten Contoh (libur daerah)",
        "+1 hari: cuti bersama Idul Fitri",
    ]
    assert [r.kind for r in result.reasons] == [ReasonKind.HOLIDAY, ReasonKind.CUTI_BERSAMA]
    local_only = WorkCalendar.create(holidays={day: Holiday("Hari Jadi", HolidayCategory.LOKAL)})
    reason = compute_due(wib(2026, 6, 8, 10, 0), Target.working_days(1), local_only).reasons[0]
    assert reason.kind is ReasonKind.LOCAL_HOLIDAY


# --------------------------------------------------------------------------- at risk


def test_at_risk_and_elapsed_fraction(plain):
    start, target = wib(2026, 6, 8, 8, 0), Target.working_hours(8)
    risk = at_risk_instant(start, target, plain)
    assert risk == wib(2026, 6, 8, 15, 0)  # 6 of 8 working hours
    assert elapsed_fraction(start, target, plain, risk) == pytest.approx(0.75)
    assert elapsed_fraction(start, target, plain, wib(2026, 6, 8, 7, 0)) == 0
    assert elapsed_fraction(start, target, plain, wib(2026, 6, 10, 8, 0)) > 1
    paused = [Pause(wib(2026, 6, 8, 8, 0), wib(2026, 6, 8, 12, 0))]
    assert at_risk_instant(start, target, plain, paused, threshold=0.5) == wib(2026, 6, 9, 9, 0)
    assert elapsed_fraction(start, target, plain, wib(2026, 6, 8, 12, 0), paused) == 0
    days = Target.working_days(5)
    risk_days = at_risk_instant(wib(2026, 6, 8, 16, 0), days, plain, threshold=0.6)
    # Received Tue (start at closing time): budget = all of Tue + 5 days = 6 days;
    # 60 % = 3.6 days -> Tue, Wed, Thu + 0.6 of Friday's 6.5 h (3 h 54 min) -> Fri 13:54.
    assert risk_days == wib(2026, 6, 12, 13, 54)


def test_working_time_between(plain):
    a, b = wib(2026, 6, 8, 11, 0), wib(2026, 6, 9, 9, 0)
    assert working_time_between(a, b, plain) == timedelta(hours=5)
    assert working_time_between(b, a, plain) == timedelta(0)
    pause = Pause(wib(2026, 6, 8, 13, 0), wib(2026, 6, 8, 14, 0))
    assert working_time_between(a, b, plain, [pause]) == timedelta(hours=4)


# --------------------------------------------------------------------------- bad input


def test_calendar_validation_messages():
    errors = validate_calendar(
        timezone="Asia/Bogor",
        windows=(
            WorkWindow.parse("08:00", "12:00"),
            WorkWindow.parse("11:00", "13:00"),
            WorkWindow.parse("15:00", "14:00"),
            WorkWindow.parse("20:00", "25:00"),
        ),
        weekday_windows={},
        version="",
    )
    assert errors["timezone"] == [
        "Zona waktu tidak dikenal: 'Asia/Bogor' (mis. Asia/Jakarta, Asia/Makassar)."
    ]
    assert errors["week.0"] == [
        "Senin: jam selesai (14:00) harus setelah jam mulai (15:00).",
        "Senin: jam kerja 20:00–25:00 di luar rentang 00:00–24:00.",
        "Senin: jam kerja 08:00–12:00 tumpang tindih dengan 11:00–13:00.",
    ]
    assert errors["version"] == ["Versi kalender wajib diisi."]
    assert "week.5" not in errors
    assert validate_calendar(working_weekdays=()) == {
        "week": ["Minimal satu hari kerja dengan jam kerja harus ditentukan."]
    }
    assert validate_calendar(working_weekdays=[7])["week"][0].startswith("Hari kerja tidak valid")
    assert validate_calendar(holidays={date(2026, 1, 1): Holiday("  ")}) == {
        "holidays": ["Nama hari libur tanggal 2026-01-01 wajib diisi."]
    }
    assert validate_calendar() == {}
    # 24:00 is a valid end; touching windows are not overlapping.
    assert (
        validate_calendar(
            windows=(WorkWindow.parse("00:00", "12:00"), WorkWindow.parse("12:00", "24:00"))
        )
        == {}
    )
    with pytest.raises(CalendarError) as excinfo:
        WorkCalendar.create(working_weekdays=[])
    assert excinfo.value.errors == {
        "week": ["Minimal satu hari kerja dengan jam kerja harus ditentukan."]
    }
    with pytest.raises(ValueError, match="Format jam"):
        WorkWindow.parse("8.00", "12:00")


def test_target_validation():
    assert validate_target("hari_kerja", 0) == {"amount": ["Target harus lebih dari 0."]}
    assert validate_target("hari_kerja", -3) == {"amount": ["Target harus lebih dari 0."]}
    assert validate_target("minggu", 1)["kind"][0].startswith("Jenis target tidak dikenal")
    assert validate_target(TargetKind.WORKING_HOURS, 2.5) == {
        "amount": ["Target harus berupa bilangan bulat."]
    }
    with pytest.raises(TargetError):
        Target.working_days(-1)
    assert validate_threshold(1.0) == {
        "threshold": ["Ambang berisiko harus lebih dari 0 dan kurang dari 100 persen."]
    }
    assert validate_threshold(0.75) == {}
    with pytest.raises(TargetError):
        at_risk_instant(wib(2026, 1, 5, 8), Target.working_days(1), WorkCalendar(), threshold=1)
    assert str(Target.working_days(5)) == "5 hari kerja"


def test_naive_datetimes_and_inverted_pauses_are_refused(plain):
    with pytest.raises(ValueError, match="aware"):
        compute_due(datetime(2026, 6, 8, 10), Target.working_days(1), plain)
    with pytest.raises(ValueError, match="Akhir jeda"):
        compute_due(
            wib(2026, 6, 8, 10),
            Target.working_days(1),
            plain,
            [Pause(wib(2026, 6, 8, 12), wib(2026, 6, 8, 11))],
        )


# --------------------------------------------------------------------------- misc


def test_index_grows_forward_and_backward(holidays_2026):
    cal = WorkCalendar.create(holidays=holidays_2026)
    start = wib(2026, 6, 8, 10, 0)
    long = compute_due(start, Target.working_days(700), cal)
    assert long.due == naive_working_days_due(start, 700, cal)
    old = wib(2019, 12, 30, 10, 0)
    assert compute_due(old, Target.working_days(3), cal).due == wib(2020, 1, 2, 16, 0)
    assert compute_due(start, Target.working_hours(50), cal).due == reference_due(
        start, Target.working_hours(50), cal
    )


def test_same_result_in_other_zone_with_same_local_schedule(holidays_2026):
    wita = WorkCalendar.create(timezone="Asia/Makassar", holidays=holidays_2026)
    result = compute_due(datetime(2026, 3, 17, 10, 0, tzinfo=WITA), Target.working_days(5), wita)
    assert result.due_local(wita.tz) == datetime(2026, 3, 31, 16, 0, tzinfo=WITA)
    assert result.due == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)


def test_calendar_is_an_immutable_value(cal_2026):
    with pytest.raises(AttributeError):
        cal_2026.version = "x"  # type: ignore[misc]
    newer = cal_2026.with_changes(version="2026-02", holidays={})
    assert newer.version == "2026-02" and newer.holidays == ()
    assert cal_2026.holidays != ()
    assert WorkCalendar.create(version=3) == WorkCalendar.create(version=3)
    assert hash(WorkCalendar.create(version=3)) == hash(WorkCalendar.create(version=3))


def test_calendar_pickles_without_its_cache(cal_2026):
    compute_due(wib(2026, 6, 8, 10, 0), Target.working_days(5), cal_2026)
    assert "_sla_index" in cal_2026.__dict__
    clone = pickle.loads(pickle.dumps(cal_2026))
    assert clone == cal_2026 and "_sla_index" not in clone.__dict__
    assert copy.deepcopy(cal_2026) == cal_2026
    result = compute_due(wib(2026, 3, 17, 10, 0), Target.working_days(5), clone)
    assert result.due == wib(2026, 3, 31, 16, 0)
