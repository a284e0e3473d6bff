"""Open data: anonymised per-tenant KPIs by month, from the ministry's daily rollups
(`monitoring.TenantDailyRollup`, public schema). Counts only - no names, NIKs, tracking codes
or free text; nothing below the tenant level."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

FIELDS = [
    "region_code", "tenant", "kind", "province_code", "month", "received", "decided",
    "completed", "met", "missed", "new_breaches", "sla_compliance_pct",
]
MAX_MONTHS = 24


def _months_back(months: int) -> dt.date:
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def kpi_rows(*, months: int = 12, region_code: str | None = None) -> list[dict[str, Any]]:
    from monitoring.models import TenantDailyRollup

    months = max(1, min(int(months), MAX_MONTHS))
    qs = TenantDailyRollup.objects.filter(
        metric_group="applications", day__gte=_months_back(months),
        tenant__state__in=["onboarding", "live"],
    )
    if region_code:
        qs = qs.filter(tenant__region_code=region_code)
    grouped = (
        qs.annotate(month=TruncMonth("day"))
        .values("tenant__region_code", "tenant__name", "tenant__kind", "tenant__province_code",
                "month")
        .annotate(received=Sum("received"), decided=Sum("decided"), completed=Sum("completed"),
                  met=Sum("met"), missed=Sum("missed"), new_breaches=Sum("new_breaches"),
                  last_day=Max("day"))
        .order_by("tenant__region_code", "month")
    )
    rows = []
    for item in grouped:
        met, missed = item["met"] or 0, item["missed"] or 0
        pct = (Decimal(met * 100) / Decimal(met + missed)).quantize(Decimal("0.01")) \
            if met + missed else None
        month = item["month"]
        rows.append({
            "region_code": item["tenant__region_code"], "tenant": item["tenant__name"],
            "kind": item["tenant__kind"], "province_code": item["tenant__province_code"],
            "month": (month.date() if isinstance(month, dt.datetime) else month).strftime("%Y-%m"),
            "received": item["received"] or 0, "decided": item["decided"] or 0,
            "completed": item["completed"] or 0, "met": met, "missed": missed,
            "new_breaches": item["new_breaches"] or 0, "sla_compliance_pct": pct,
        })
    return rows


def kpi_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row[k] is None else row[k]) for k in FIELDS})
    return buffer.getvalue()
