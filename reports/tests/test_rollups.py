"""Daily rollups of the dashboard (docs/adr/0012): the rollup-backed dashboard equals the
fully live one, across period boundaries, with stale and missing days; reruns replace."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from feedback.selectors import Period
from feedback.tests.fixtures import make_application
from reports.models import DAY_ROW_STATUS, DailyFigures
from reports.selectors import dashboard, month_period
from reports.services import daily_figures_backfill, daily_figures_recompute, daily_figures_refresh

TZ = "Asia/Jakarta"
JKT = ZoneInfo(TZ)
# 2026-07-02 09:00 WIB: June is closed, July has yesterday and today
NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=JKT)


def _seed(hall, user_factory) -> None:
    """Applications over 40 days around the month boundary, in every state that counts:
    finished on time and late, undecided past and before their deadline, no deadline,
    submitted near midnight (local day ≠ UTC day)."""
    applicant = user_factory().pk
    for n in range(40):
        submitted = NOW - dt.timedelta(days=n, hours=n % 5, minutes=7 * n)
        due = submitted + dt.timedelta(days=3)
        finished = submitted + dt.timedelta(hours=10 + 7 * n)
        make_application(hall, applicant_id=applicant, submitted_at=submitted, due_at=due,
                         completed_at=finished)
        make_application(hall, applicant_id=applicant, status="rejected", submitted_at=submitted,
                         due_at=None, decided_at=finished, completed_at=None)
        make_application(hall, applicant_id=applicant, status="in_process",
                         submitted_at=submitted, due_at=due, completed_at=None)
        if n % 3 == 0:
            make_application(hall, applicant_id=applicant, status="submitted",
                             submitted_at=submitted.replace(hour=23, minute=50), due_at=None,
                             completed_at=None)


PERIODS = (
    Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)),  # all rolled up
    Period(dt.date(2026, 6, 15), dt.date(2026, 7, 2)),  # across the boundary, with today
    Period(dt.date(2026, 5, 20), dt.date(2026, 7, 31)),  # before the data, into the future
    Period(dt.date(2026, 7, 2), dt.date(2026, 7, 2)),  # today only
)


def _same(period: Period, agency_ids=None) -> None:
    rolled = dashboard(period=period, tz=TZ, agency_ids=agency_ids)
    live = dashboard(period=period, tz=TZ, agency_ids=agency_ids, use_rollups=False)
    assert rolled.totals == live.totals
    assert rolled.by_status == live.by_status
    assert rolled.by_service == live.by_service
    assert rolled.by_agency == live.by_agency
    # the page's medians (tenant, per OPD) come from the rollups' cuts: the same values
    page = dashboard(period=period, tz=TZ, agency_ids=agency_ids, detail=False)
    assert page.totals == live.totals
    assert page.by_agency == live.by_agency
    assert page.queue_totals == live.queue_totals
    assert [{**row, "median_hours": None} for row in live.by_service] == page.by_service


@pytest.fixture
def seeded(hall_a, in_tenant, user_factory, time_machine):
    time_machine.move_to(NOW - dt.timedelta(hours=3), tick=False)
    with in_tenant(hall_a.tenant):
        _seed(hall_a, user_factory)
    time_machine.move_to(NOW, tick=False)  # the rows were last updated 3 hours ago
    return hall_a


def test_rollup_backed_dashboard_equals_live(seeded, in_tenant):
    with in_tenant(seeded.tenant):
        assert daily_figures_backfill(tz=TZ) >= 39  # from the first submission to yesterday
        assert not DailyFigures.objects.filter(day__gte=NOW.date()).exists()
        for period in PERIODS:
            _same(period)
            _same(period, agency_ids=[seeded.agency.pk])
            _same(period, agency_ids=[seeded.agency.pk + 999])
        board = dashboard(period=PERIODS[1], tz=TZ)
        assert board.totals["received"] > 0 and board.totals["breached"] > 0
        assert board.totals["median_hours"] is not None


def test_past_days_are_read_from_the_rollups(seeded, in_tenant):
    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ)
        june = PERIODS[0]
        before = dashboard(period=june, tz=TZ).totals["received"]
        # tamper with one rollup row (never done for real): the dashboard shows it
        row = DailyFigures.objects.exclude(status=DAY_ROW_STATUS).filter(day__month=6).first()
        DailyFigures.objects.filter(pk=row.pk).update(received=row.received + 100)
        assert dashboard(period=june, tz=TZ).totals["received"] == before + 100
        daily_figures_recompute(first=row.day, last=row.day, tz=TZ)  # a rerun replaces
        assert dashboard(period=june, tz=TZ).totals["received"] == before


def test_days_changed_after_their_rollup_or_never_rolled_up_are_live(seeded, in_tenant):
    from applications.models import Application

    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ)
        # a decision on an old file (what the state machine does: save() bumps updated_at)
        app = Application.objects.filter(status="in_process", submitted_at__month=6).first()
        app.status, app.decided_at = "approved", timezone.now()
        app.save()
        # a day whose rollup is missing (e.g. before the backfill reached it)
        DailyFigures.objects.filter(day=dt.date(2026, 6, 20)).delete()
        for period in PERIODS:
            _same(period)
        # the periodic refresh re-rolls the changed day (and yesterday is there already)
        assert daily_figures_refresh(tz=TZ) == 1
        for period in PERIODS:
            _same(period)


def test_backfill_is_idempotent_and_refresh_rolls_up_yesterday(seeded, in_tenant):
    with in_tenant(seeded.tenant):
        assert daily_figures_refresh(tz=TZ) == 1  # only yesterday on a fresh tenant
        assert DailyFigures.objects.filter(status=DAY_ROW_STATUS).count() == 1
        daily_figures_backfill(tz=TZ)
        count = DailyFigures.objects.count()
        daily_figures_backfill(tz=TZ)
        assert DailyFigures.objects.count() == count
        assert daily_figures_refresh(tz=TZ) == 0  # nothing changed since


def test_the_month_view_of_the_page_uses_the_rollups(seeded, in_tenant):
    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ)
        _same(month_period("2026-06", today=NOW.date()))
        _same(month_period(None, today=NOW.date()))


def test_a_re_rolled_day_rewrites_its_cuts_and_rows_without_cuts_still_count(seeded, in_tenant):
    from applications.models import Application
    from reports.models import DAY_ROW_HOUR, FINISH_CUTS, WAIT_CUTS, QueueDailyFigures, cuts_of

    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ)
        app = Application.objects.filter(status="in_process", submitted_at__month=6).first()
        app.status, app.completed_at = "completed", timezone.now()
        app.save()
        assert daily_figures_refresh(tz=TZ) == 1
        rows = DailyFigures.objects.exclude(status=DAY_ROW_STATUS)
        assert any(row.finish_seconds for row in rows)
        for row in rows:
            assert row.finish_cuts == cuts_of(row.finish_seconds, FINISH_CUTS)
        for row in QueueDailyFigures.objects.exclude(hour=DAY_ROW_HOUR):
            assert row.wait_cuts == cuts_of(row.waits, WAIT_CUTS)
        for period in PERIODS:
            _same(period)
        # rows written without cuts (as by code from before them) count value by value
        DailyFigures.objects.filter(day__month=6).update(finish_cuts=[])
        for period in PERIODS:
            _same(period)
