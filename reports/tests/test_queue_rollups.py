"""Queue rollups of the dashboard (docs/adr/0015): the rollup-backed queue figures equal the
live `hall.selectors.queue_figures` exactly (counts, means, medians) and the ORM aggregates it
replaced, across period boundaries, per OPD, with tickets changed after their day's rollup,
moved off a rolled-up day or whose counter was deleted; reruns replace."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from feedback.selectors import Period
from hall.tests.test_queue_figures import _reference
from hall.tests.test_queue_figures import _same as _same_as_orm
from reports.models import DAY_ROW_HOUR, QueueDailyFigures
from reports.selectors import rolled_queue_figures
from reports.services import daily_figures_backfill, daily_figures_refresh

TZ = "Asia/Jakarta"
JKT = ZoneInfo(TZ)
NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=JKT)  # June closed, July has yesterday and today
PERIODS = (
    Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)),  # all rolled up
    Period(dt.date(2026, 6, 15), dt.date(2026, 7, 2)),  # across the boundary, with today
    Period(dt.date(2026, 5, 20), dt.date(2026, 7, 31)),  # before the data, into the future
    Period(dt.date(2026, 7, 2), dt.date(2026, 7, 2)),  # today only
)


def _seed(hall) -> list[int]:
    """300 tickets over the 40 days up to today at two counters (two OPDs) and none, in every
    status, called at any hour (also late in the evening: UTC day ≠ local day), some without a
    wait time. Returns the OPD ids."""
    from agencies.services import agency_create
    from hall.models import Ticket
    from hall.services import counter_save

    rng = random.Random(14)
    other = agency_create(name="Dinas Uji Lain", short_name="DUL")
    second = counter_save(actor=None, code="loket-lain", name="Loket Lain", agency_id=other.pk,
                          services=[hall.offering.service_code], slot_minutes=30,
                          capacity_per_slot=2)
    counters = [(hall.counter, hall.agency), (second, other), (None, hall.agency)]
    rows = []
    for i in range(300):
        status = rng.choice(list(Ticket.Status.values))
        day = NOW.date() - dt.timedelta(days=rng.randint(0, 40))
        called = dt.datetime.combine(day, dt.time(rng.randint(6, 23), rng.randint(0, 59)),
                                     tzinfo=JKT)
        reached = status in {"called", "serving", "done", "no_show"}
        kind = rng.choice(list(Ticket.Kind.values))
        counter, agency = rng.choice(counters)
        slot = {"slot_counter": hall.counter, "slot_start": called,
                "slot_end": called + dt.timedelta(minutes=30)} if kind == "booking" else {}
        rows.append(Ticket(
            kind=kind, status=status, **slot, offering=hall.offering,
            service_code=hall.offering.service_code, agency=agency, day=day, code=f"R{i:05d}",
            counter=counter if reached else None, called_at=called if reached else None,
            wait_seconds=rng.randint(0, 3600) if reached and rng.random() < 0.9 else None,
            service_seconds=rng.randint(60, 1800) if status == "done" else None,
        ))
    Ticket.objects.bulk_create(rows)
    return [hall.agency.pk, other.pk]


def _exact(period: Period, agency_ids=None) -> None:
    """Rolled == live, to the last bit (dataclass equality: every count, mean and median)."""
    from hall.selectors import queue_figures

    rolled = rolled_queue_figures(period=period, tz=TZ, agency_ids=agency_ids, now=NOW)
    live = queue_figures(start=period.start, end=period.end, tz=TZ, agency_ids=agency_ids)
    assert rolled == live
    # the page's median wait (the hall's) comes from the rollups' cuts: the same value
    page = rolled_queue_figures(period=period, tz=TZ, agency_ids=agency_ids, now=NOW,
                                detail=False)
    assert page.totals == live.totals


@pytest.fixture
def seeded(hall_a, in_tenant, time_machine):
    time_machine.move_to(NOW - dt.timedelta(hours=3), tick=False)
    with in_tenant(hall_a.tenant):
        agencies = _seed(hall_a)
    time_machine.move_to(NOW, tick=False)  # the tickets were last changed 3 hours ago
    return hall_a, agencies


def test_rollup_backed_queue_equals_live_and_the_orm_aggregates(seeded, in_tenant):
    from hall.models import Ticket

    hall, agencies = seeded
    with in_tenant(hall.tenant):
        assert daily_figures_backfill(tz=TZ) == 40  # from the first ticket to yesterday
        assert not QueueDailyFigures.objects.filter(day__gte=NOW.date()).exists()
        assert QueueDailyFigures.objects.exclude(hour=DAY_ROW_HOUR).count() > 100
        for period in PERIODS:
            for scope in (None, [agencies[0]], agencies, [agencies[1] + 999]):
                _exact(period, scope)
        period = PERIODS[1]
        tickets = Ticket.objects.filter(day__gte=period.start, day__lte=period.end)
        totals, by_counter, by_hour = _reference(tickets, TZ)
        rolled = rolled_queue_figures(period=period, tz=TZ, now=NOW)
    assert totals["tickets"] > 50 and totals["median_wait"] is not None
    _same_as_orm(rolled.totals, totals)
    assert len(rolled.by_counter) == len(by_counter) == 2
    for got, want in zip(rolled.by_counter, by_counter, strict=True):
        _same_as_orm(got, want)
    assert len(rolled.by_hour) == len(by_hour) > 10
    for got, want in zip(rolled.by_hour, by_hour, strict=True):
        _same_as_orm(got, want)


def test_past_days_are_read_from_the_queue_rollups(seeded, in_tenant):
    hall, _agencies = seeded
    june = PERIODS[0]
    with in_tenant(hall.tenant):
        daily_figures_backfill(tz=TZ)
        before = rolled_queue_figures(period=june, tz=TZ, now=NOW).totals["tickets"]
        # tamper with one rollup row (never done for real): the dashboard shows it
        row = QueueDailyFigures.objects.exclude(hour=DAY_ROW_HOUR).filter(
            day__month=6, tickets__gt=0).first()
        QueueDailyFigures.objects.filter(pk=row.pk).update(tickets=row.tickets + 100)
        assert rolled_queue_figures(period=june, tz=TZ, now=NOW).totals["tickets"] == before + 100
        daily_figures_backfill(tz=TZ)  # a rerun replaces
        assert rolled_queue_figures(period=june, tz=TZ, now=NOW).totals["tickets"] == before


def test_a_ticket_changed_after_its_days_rollup_is_read_live(seeded, in_tenant):
    from hall.models import Ticket

    hall, _agencies = seeded
    with in_tenant(hall.tenant):
        daily_figures_backfill(tz=TZ)
        assert daily_figures_refresh(tz=TZ) == 0
        # a late finish of an old ticket, saved as the services save (update_fields)
        ticket = Ticket.objects.filter(day__month=6, wait_seconds__isnull=False).first()
        stamp = ticket.updated_at
        ticket.wait_seconds += 7777
        ticket.save(update_fields=["wait_seconds"])
        ticket.refresh_from_db()
        assert ticket.updated_at > stamp  # save() keeps updated_at in update_fields
        for period in PERIODS:
            _exact(period)
            _exact(period, [ticket.agency_id])
        assert daily_figures_refresh(tz=TZ) == 1  # the job re-rolls the changed day
        for period in PERIODS:
            _exact(period)


def test_a_booking_moved_off_a_rolled_up_day_re_rolls_it(seeded, in_tenant):
    from hall.hooks import ticket_day_changed
    from hall.models import Ticket

    hall, _agencies = seeded
    with in_tenant(hall.tenant):
        daily_figures_backfill(tz=TZ)
        ticket = Ticket.objects.filter(day__month=6).exclude(status="cancelled").first()
        old_day = ticket.day
        ticket.day = NOW.date() + dt.timedelta(days=3)
        ticket.save(update_fields=["day"])  # what booking_reschedule saves
        june = PERIODS[0]
        live = rolled_queue_figures(period=june, tz=TZ, now=NOW)
        # the moved ticket's updated_at names its new day: the old day still counts it
        assert live.totals["tickets"] != _live_tickets(june)
        ticket_day_changed(ticket_id=ticket.pk, old_day=old_day, new_day=ticket.day)
        for period in PERIODS:
            _exact(period)


def _live_tickets(period: Period) -> int:
    from hall.selectors import queue_figures

    return queue_figures(start=period.start, end=period.end, tz=TZ).totals["tickets"]


def test_a_deleted_counter_counts_as_none(seeded, in_tenant):
    from hall.models import Counter

    hall, _agencies = seeded
    with in_tenant(hall.tenant):
        daily_figures_backfill(tz=TZ)
        Counter.objects.filter(code="loket-lain").delete()  # its tickets' counter: NULL
        for period in PERIODS:
            _exact(period)
        assert len(rolled_queue_figures(period=PERIODS[0], tz=TZ, now=NOW).by_counter) == 1


def test_an_empty_period_matches_the_live_one(hall_a, in_tenant, time_machine):
    time_machine.move_to(NOW, tick=False)
    with in_tenant(hall_a.tenant):
        empty = rolled_queue_figures(period=PERIODS[0], tz=TZ, now=NOW)
        _exact(PERIODS[0])
    assert empty.totals["tickets"] == 0 and empty.totals["median_wait"] is None
    assert not empty.by_counter and not empty.by_hour
