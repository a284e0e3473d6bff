"""SKM daily rollups of the dashboard (docs/adr/0015): the rollup-backed IKM equals the live
one (PermenPANRB 14/2017's sums and counts add up), across period boundaries, for an OPD
head, with days not rolled up and days rolled up before they ended."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from feedback.questionnaire import UNSUR_CODES
from feedback.selectors import Period, ikm_breakdown
from reports.models import DAY_ROW_AGENCY, SkmDailyFigures
from reports.selectors import dashboard, rolled_ikm_breakdown
from reports.services import daily_figures_backfill, daily_figures_recompute, daily_figures_refresh

TZ = "Asia/Jakarta"
JKT = ZoneInfo(TZ)
NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=JKT)  # June is closed, July has yesterday and today

PERIODS = (
    Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)),  # all rolled up
    Period(dt.date(2026, 6, 15), dt.date(2026, 7, 2)),  # across the boundary, with today
    Period(dt.date(2026, 5, 1), dt.date(2026, 7, 31)),  # before the data, into the future
    Period(dt.date(2026, 7, 2), dt.date(2026, 7, 2)),  # today only
)


def _respond(hall, rng: random.Random, n: int, *, invited: dt.datetime,
             submitted: dt.datetime | None, agency=None):
    from feedback.models import SkmResponse

    answers = {code: rng.randint(1, 4) for code in UNSUR_CODES} if submitted else {}
    return SkmResponse(
        source="ticket", source_id=n, channel="counter",
        service_code=rng.choice(["KTP-EL", "KK-UBAH", ""]), agency=agency,
        invited_at=invited, submitted_at=submitted, **answers,
    )


@pytest.fixture
def seeded(hall_a, in_tenant, time_machine):
    """180 questionnaires over 50 days: invited and answered on different days, never
    answered, without an OPD, near local midnight (local day ≠ UTC day), today."""
    from agencies.models import Agency
    from feedback.models import SkmResponse

    time_machine.move_to(NOW, tick=False)
    rng = random.Random(15)
    with in_tenant(hall_a.tenant):
        other = Agency.objects.create(code="skm-2", name="OPD SKM 2")
        rows = []
        for n in range(180):
            invited = NOW - dt.timedelta(days=rng.randint(0, 50), hours=rng.randint(0, 9))
            if n % 7 == 0:
                invited = invited.replace(hour=23, minute=50)
            invited = min(invited, NOW - dt.timedelta(minutes=1))
            later = invited + dt.timedelta(hours=rng.randint(0, 60))
            submitted = later if rng.random() < 0.7 and later < NOW else None
            rows.append(_respond(hall_a, rng, n, invited=invited, submitted=submitted,
                                 agency=rng.choice([hall_a.agency, other, None])))
        SkmResponse.objects.bulk_create(rows)
    return hall_a


def _same(period: Period, agency_ids=None) -> None:
    rolled = rolled_ikm_breakdown(period=period, tz=TZ, agency_ids=agency_ids)
    live = ikm_breakdown(period=period, tz=TZ, agency_ids=agency_ids)
    assert rolled == live
    assert list(rolled.by_service) == list(live.by_service)
    assert list(rolled.by_agency) == list(live.by_agency)


def test_rollup_backed_ikm_equals_live(seeded, in_tenant, django_assert_num_queries):
    with in_tenant(seeded.tenant):
        assert daily_figures_backfill(tz=TZ, first=dt.date(2026, 5, 1)) > 50
        assert not SkmDailyFigures.objects.filter(day__gte=NOW.date()).exists()
        for period in PERIODS:
            _same(period)
            _same(period, agency_ids=[seeded.agency.pk])
            _same(period, agency_ids=[seeded.agency.pk + 999])
        with django_assert_num_queries(1):
            june = rolled_ikm_breakdown(period=PERIODS[0], tz=TZ)
        assert june.total.respondents > 30 and june.total.population > 50
        assert None in june.by_agency and "" in june.by_service
        # the page and the exports read it: the same IKM as the fully live dashboard
        assert dashboard(period=PERIODS[1], tz=TZ).ikm == dashboard(
            period=PERIODS[1], tz=TZ, use_rollups=False).ikm


def test_finished_days_are_read_from_the_rollups(seeded, in_tenant):
    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ, first=dt.date(2026, 5, 1))
        before = rolled_ikm_breakdown(period=PERIODS[0], tz=TZ).total.population
        # tamper with one rollup row (never done for real): the dashboard shows it
        row = SkmDailyFigures.objects.exclude(agency_id=DAY_ROW_AGENCY).filter(
            day__month=6, population__gt=0).first()
        SkmDailyFigures.objects.filter(pk=row.pk).update(population=row.population + 100)
        assert rolled_ikm_breakdown(period=PERIODS[0], tz=TZ).total.population == before + 100
        daily_figures_recompute(first=row.day, last=row.day, tz=TZ)  # a rerun replaces
        assert rolled_ikm_breakdown(period=PERIODS[0], tz=TZ).total.population == before


def test_a_day_rolled_up_before_it_ended_is_read_live_and_re_rolled(
    seeded, in_tenant, time_machine
):
    """The hourly job can run minutes after local midnight: its ``computed_at`` (now minus
    ROLLUP_MARGIN) lies in the day it rolled up, so an answer after it must still count."""
    from feedback.models import SkmResponse

    yesterday = NOW.date() - dt.timedelta(days=1)
    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ, first=dt.date(2026, 5, 1))
        early = dt.datetime.combine(NOW.date(), dt.time(0, 5), tzinfo=JKT)
        daily_figures_recompute(first=yesterday, last=yesterday, tz=TZ, now=early)
        # an answer committed late yesterday, after that rollup read the day
        late = dt.datetime.combine(yesterday, dt.time(23, 58), tzinfo=JKT)
        SkmResponse.objects.bulk_create([_respond(
            seeded, random.Random(1), 999, invited=late, submitted=late, agency=seeded.agency)])
        period = Period(yesterday, yesterday)
        live = ikm_breakdown(period=period, tz=TZ)
        assert rolled_ikm_breakdown(period=period, tz=TZ) == live
        # the hourly refresh re-rolls that day only; then it is read from the rollups
        assert daily_figures_refresh(tz=TZ) == 1
        assert SkmDailyFigures.objects.get(day=yesterday, agency_id=DAY_ROW_AGENCY) \
            .computed_at >= dt.datetime.combine(NOW.date(), dt.time(0), tzinfo=JKT)
        assert daily_figures_refresh(tz=TZ) == 0
        assert rolled_ikm_breakdown(period=period, tz=TZ) == live
        for period in PERIODS:
            _same(period)


def test_days_without_skm_rollups_are_rolled_by_the_refresh(seeded, in_tenant):
    """A tenant whose applications were rolled up before the SKM rollups existed."""
    with in_tenant(seeded.tenant):
        daily_figures_backfill(tz=TZ, first=dt.date(2026, 6, 1))
        SkmDailyFigures.objects.filter(day__lt=dt.date(2026, 6, 10)).delete()
        _same(PERIODS[0])  # the missing days are read live meanwhile
        assert daily_figures_refresh(tz=TZ) == 9
        assert SkmDailyFigures.objects.filter(agency_id=DAY_ROW_AGENCY,
                                              day__month=6).count() == 30
        _same(PERIODS[0])
