"""The day's figures of the feedback and hall apps for the ministry rollup
(``monitoring.TenantDailyRollup``, groups "ikm", "complaints" and "queue").

Run inside the tenant's schema. :func:`rollup_feedback_tenant` upserts the three rows through
``monitoring.services.rollup_upsert`` (the monitoring engineer's contract); the ``*_metrics``
functions only compute the JSON dicts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from .ikm import ikm_compute
from .models import Complaint
from .selectors import Period, ikm_for_period

GROUP_IKM, GROUP_COMPLAINTS, GROUP_QUEUE = "ikm", "complaints", "queue"


def ikm_day_metrics(*, day: date, tz: str) -> dict[str, Any]:
    """The tenant's IKM of ``day`` plus its month to date (sums and counts per unsur are
    included so the ministry can combine tenants exactly)."""
    daily = ikm_for_period(period=Period(day, day), tz=tz)
    month = ikm_for_period(period=Period(day.replace(day=1), day), tz=tz)
    return {"day": daily.as_dict(), "month_to_date": month.as_dict()}


def complaints_day_metrics(*, day: date, tz: str) -> dict[str, Any]:
    start, end = Period(day, day).bounds(tz)
    now = timezone.now()
    row = Complaint.objects.aggregate(
        received=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        auto_from_breach=Count(
            "id", filter=Q(created_at__gte=start, created_at__lt=end, origin="sla_breach")
        ),
        closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end)),
        open=Count("id", filter=Q(status__in=["submitted", "verified", "responded"])),
        verify_overdue=Count("id", filter=Q(status="submitted", verify_due__lt=now)),
        respond_overdue=Count("id", filter=Q(status="verified", respond_due__lt=now)),
        avg_close_hours=Avg(
            F("closed_at") - F("created_at"), filter=Q(closed_at__gte=start, closed_at__lt=end)
        ),
    )
    avg = row.pop("avg_close_hours")
    row["avg_close_hours"] = None if avg is None else round(avg.total_seconds() / 3600, 2)
    return row


def rollup_feedback_tenant(*, tenant_id: int, tz: str, day: date | None = None) -> int:
    """Upsert today's "ikm", "complaints" and "queue" rows of the current tenant."""
    from hall.rollup import queue_day_metrics
    from monitoring.services import RollupRow, local_today, rollup_upsert

    day = day or local_today(tz, timezone.now())
    rows = [
        RollupRow(tenant_id, day, GROUP_IKM, ikm_day_metrics(day=day, tz=tz)),
        RollupRow(tenant_id, day, GROUP_COMPLAINTS, complaints_day_metrics(day=day, tz=tz)),
        RollupRow(tenant_id, day, GROUP_QUEUE, queue_day_metrics(day=day)),
    ]
    return rollup_upsert(rows=rows)


__all__ = [
    "complaints_day_metrics",
    "ikm_compute",
    "ikm_day_metrics",
    "rollup_feedback_tenant",
]
