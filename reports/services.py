"""Writes of the reports app: the daily rollups of the dashboard (docs/adr/0012)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from feedback.selectors import Period

from .models import DAY_ROW_STATUS, DailyFigures
from .selectors import ROLLUP_MARGIN, application_day_rows, rollup_stale_days

_FIELDS = ("received", "met", "missed", "finish_seconds", "open_due_us")


def local_today(tz: str, now: datetime | None = None) -> date:
    from zoneinfo import ZoneInfo

    return (now or timezone.now()).astimezone(ZoneInfo(tz)).date()


def daily_figures_recompute(*, first: date, last: date, tz: str,
                            now: datetime | None = None) -> int:
    """Recompute and replace the rollups of the tenant days ``first``..``last`` (inclusive;
    days from today on are skipped: the dashboard reads today live). Must run in the
    tenant's schema. Idempotent: a rerun replaces the rows. One read whatever the range.
    Returns the number of days written."""
    now = now or timezone.now()
    last = min(last, local_today(tz, now) - timedelta(days=1))
    if last < first:
        return 0
    computed_at = now - ROLLUP_MARGIN  # see ROLLUP_MARGIN: taken before the read
    with transaction.atomic():
        with connection.cursor() as cursor:  # one writer per tenant at a time
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), 14)")
        rows = application_day_rows(ranges=[Period(first, last).bounds(tz)], tz=tz)
        DailyFigures.objects.filter(day__gte=first, day__lte=last).delete()
        objects = [
            DailyFigures(day=row["day"], service_code=row["service_code"],
                         agency_id=row["agency_id"], status=row["status"],
                         computed_at=computed_at, **{f: row[f] for f in _FIELDS})
            for row in rows
        ]
        days = (last - first).days + 1
        objects += [
            DailyFigures(day=first + timedelta(days=n), status=DAY_ROW_STATUS,
                         computed_at=computed_at)
            for n in range(days)
        ]
        DailyFigures.objects.bulk_create(objects, batch_size=2000)
    return days


def daily_figures_refresh(*, tz: str, now: datetime | None = None) -> int:
    """The periodic job of one tenant: roll up yesterday if it is not yet, and recompute
    every rolled-up day an application was updated since. Returns the days written."""
    now = now or timezone.now()
    yesterday = local_today(tz, now) - timedelta(days=1)
    computed = dict(
        DailyFigures.objects.filter(status=DAY_ROW_STATUS).values_list("day", "computed_at")
    )
    days = rollup_stale_days(computed=computed, tz=tz)
    if yesterday not in computed:
        days.add(yesterday)
    return sum(daily_figures_recompute(first=day, last=day, tz=tz, now=now)
               for day in sorted(days))


def daily_figures_backfill(*, tz: str, first: date | None = None, last: date | None = None,
                           now: datetime | None = None) -> int:
    """Roll up ``first``..``last`` (default: from the first submission to yesterday)."""
    from applications.models import Application

    now = now or timezone.now()
    if first is None:
        earliest = Application.objects.filter(submitted_at__isnull=False).order_by(
            "submitted_at").values_list("submitted_at", flat=True).first()
        if earliest is None:
            return 0
        first = local_today(tz, earliest)
    return daily_figures_recompute(first=first, last=last or local_today(tz, now), tz=tz, now=now)
