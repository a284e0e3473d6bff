"""The day's queue figures for the ministry rollup (group "queue"); run in the tenant schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Avg, Count, Q

from .models import Ticket


def queue_day_metrics(*, day: date) -> dict[str, Any]:
    row = Ticket.objects.filter(day=day).aggregate(
        tickets=Count("id", filter=~Q(status=Ticket.Status.CANCELLED)),
        bookings=Count("id", filter=Q(kind=Ticket.Kind.BOOKING)),
        walk_ins=Count("id", filter=Q(kind=Ticket.Kind.WALK_IN)),
        served=Count("id", filter=Q(status=Ticket.Status.DONE)),
        no_show=Count("id", filter=Q(status=Ticket.Status.NO_SHOW)),
        cancelled=Count("id", filter=Q(status=Ticket.Status.CANCELLED)),
        priority=Count("id", filter=~Q(priority="")),
        avg_wait_seconds=Avg("wait_seconds"),
        avg_service_seconds=Avg("service_seconds"),
    )
    for key in ("avg_wait_seconds", "avg_service_seconds"):
        row[key] = None if row[key] is None else round(row[key])
    return row
