"""`hall.selectors.queue_figures` (the tenant dashboard's queue section, one GROUPING SETS
scan) equals the three ORM aggregates it replaced: the whole hall, per counter, per hour."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Avg, Count, FloatField, Q
from django.db.models.aggregates import Aggregate
from django.db.models.functions import ExtractHour


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _reference(tickets, tz: str) -> tuple[dict, list, list]:
    from hall.models import Ticket

    figures = {
        "tickets": Count("id", filter=~Q(status=Ticket.Status.CANCELLED)),
        "served": Count("id", filter=Q(status=Ticket.Status.DONE)),
        "no_show": Count("id", filter=Q(status=Ticket.Status.NO_SHOW)),
        "avg_wait": Avg("wait_seconds"),
        "median_wait": _Median("wait_seconds", filter=Q(wait_seconds__isnull=False)),
        "avg_service": Avg("service_seconds"),
    }
    totals = tickets.aggregate(**figures, bookings=Count("id", filter=Q(kind="booking")))
    by_counter = list(tickets.filter(counter__isnull=False).values("counter_id", "counter__name")
                      .annotate(**figures).order_by("counter__name"))
    by_hour = list(tickets.filter(called_at__isnull=False)
                   .annotate(hour=ExtractHour("called_at", tzinfo=ZoneInfo(tz)))
                   .values("hour").annotate(**figures).order_by("hour"))
    return totals, by_counter, by_hour


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None
                                         and a == pytest.approx(b))


def _same(mine: dict, theirs: dict) -> None:
    assert set(theirs) <= set(mine)
    for key, value in theirs.items():
        assert _close(mine[key], value) if isinstance(value, float) or value is None \
            else mine[key] == value, (key, mine, theirs)


@pytest.mark.parametrize("only_agency", [False, True])
def test_one_scan_equals_the_three_aggregates(hall_a, in_tenant, only_agency):
    from hall.models import Counter, Ticket
    from hall.selectors import queue_figures
    from hall.services import counter_save

    rng = random.Random(14)
    tz = "Asia/Makassar"
    with in_tenant(hall_a.tenant):
        other = counter_save(actor=None, code="loket-b", name="Loket B",
                             agency_id=hall_a.agency.pk, services=[hall_a.offering.service_code],
                             slot_minutes=30, capacity_per_slot=2)
        counters = [hall_a.counter, other, None]
        base = dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)
        rows = []
        for i in range(300):
            status = rng.choice(list(Ticket.Status.values))
            called = base + dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
            reached = status in {"called", "serving", "done", "no_show"}
            kind = rng.choice(list(Ticket.Kind.values))
            slot = {"slot_counter": hall_a.counter, "slot_start": called,
                    "slot_end": called + dt.timedelta(minutes=30)} if kind == "booking" else {}
            rows.append(Ticket(
                kind=kind, status=status, **slot,
                offering=hall_a.offering, service_code=hall_a.offering.service_code,
                agency=hall_a.agency, day=called.date(), code=f"Q{i:05d}",
                counter=rng.choice(counters) if reached else None,
                called_at=called if reached else None,
                wait_seconds=rng.randint(0, 3600) if reached and rng.random() < 0.9 else None,
                service_seconds=rng.randint(60, 1800) if status == "done" else None,
            ))
        Ticket.objects.bulk_create(rows)
        start, end = dt.date(2026, 6, 3), dt.date(2026, 6, 18)
        tickets = Ticket.objects.filter(day__gte=start, day__lte=end)
        agency_ids = [hall_a.agency.pk] if only_agency else None
        if only_agency:
            tickets = tickets.filter(agency_id__in=agency_ids)
        totals, by_counter, by_hour = _reference(tickets, tz)
        mine = queue_figures(start=start, end=end, tz=tz, agency_ids=agency_ids)
        assert Counter.objects.count() == 2 and totals["tickets"] > 100
    _same(mine.totals, totals)
    assert len(mine.by_counter) == len(by_counter) == 2
    for got, want in zip(mine.by_counter, by_counter, strict=True):
        _same(got, want)
    assert len(mine.by_hour) == len(by_hour) > 10
    for got, want in zip(mine.by_hour, by_hour, strict=True):
        _same(got, want)


def test_an_empty_period_has_zero_counts_and_no_rows(hall_a, in_tenant):
    from hall.selectors import queue_figures

    with in_tenant(hall_a.tenant):
        empty = queue_figures(start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31), tz="Asia/Jakarta")
    assert empty.totals["tickets"] == 0 and empty.totals["bookings"] == 0
    assert empty.totals["median_wait"] is None and not empty.by_counter and not empty.by_hour
