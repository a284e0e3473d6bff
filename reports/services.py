"""Writes of the reports app: the daily rollups of the dashboard, applications (docs/adr/0012),
queue tickets and SKM questionnaires (docs/adr/0015), recomputed together for a range of
days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from feedback.selectors import SKM_SUM_COLUMNS, Period, skm_day_rows
from hall.selectors import QUEUE_ROW_COLUMNS, queue_day_rows, ticket_days_changed

from .models import (
    DAY_ROW_AGENCY,
    DAY_ROW_HOUR,
    DAY_ROW_STATUS,
    FINISH_CUTS,
    WAIT_CUTS,
    DailyFigures,
    QueueDailyFigures,
    SkmDailyFigures,
    cuts_of,
)
from .selectors import (
    ROLLUP_MARGIN,
    application_day_rows,
    day_runs,
    rollup_stale_days,
    skm_days_unfinished,
)

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
                         computed_at=computed_at, **{f: row[f] for f in _FIELDS},
                         finish_cuts=cuts_of(row["finish_seconds"], FINISH_CUTS))
            for row in rows
        ]
        days = (last - first).days + 1
        objects += [
            DailyFigures(day=first + timedelta(days=n), status=DAY_ROW_STATUS,
                         computed_at=computed_at)
            for n in range(days)
        ]
        DailyFigures.objects.bulk_create(objects, batch_size=2000)
        _queue_recompute(first=first, last=last, tz=tz, computed_at=computed_at)
        _skm_recompute(first=first, last=last, tz=tz, computed_at=computed_at)
    return days


def _queue_recompute(*, first: date, last: date, tz: str, computed_at: datetime) -> None:
    """The queue rollups of ``first``..``last`` (inside ``daily_figures_recompute``)."""
    rows = queue_day_rows(first=first, last=last, tz=tz)
    QueueDailyFigures.objects.filter(day__gte=first, day__lte=last).delete()
    objects = [
        QueueDailyFigures(day=row["day"], computed_at=computed_at,
                          **{column: row[column] for column in QUEUE_ROW_COLUMNS},
                          wait_cuts=cuts_of(row["waits"], WAIT_CUTS))
        for row in rows
    ]
    objects += [
        QueueDailyFigures(day=first + timedelta(days=n), hour=DAY_ROW_HOUR,
                          computed_at=computed_at)
        for n in range((last - first).days + 1)
    ]
    QueueDailyFigures.objects.bulk_create(objects, batch_size=2000)


def _skm_recompute(*, first: date, last: date, tz: str, computed_at: datetime) -> None:
    """The SKM rollups of ``first``..``last`` (inside ``daily_figures_recompute``)."""
    rows = skm_day_rows(first=first, last=last, tz=tz)
    SkmDailyFigures.objects.filter(day__gte=first, day__lte=last).delete()
    objects = [
        SkmDailyFigures(day=row["day"], service_code=row["service_code"],
                        agency_id=row["agency_id"], computed_at=computed_at,
                        **{column: row[column] for column in SKM_SUM_COLUMNS})
        for row in rows
    ]
    objects += [
        SkmDailyFigures(day=first + timedelta(days=n), agency_id=DAY_ROW_AGENCY,
                        computed_at=computed_at)
        for n in range((last - first).days + 1)
    ]
    SkmDailyFigures.objects.bulk_create(objects, batch_size=2000)


def queue_day_moved(*, day: date, tz: str, now: datetime | None = None) -> int:
    """A ticket left ``day`` (a booking rescheduled, through ``hall.hooks``): re-roll the
    day if it is rolled up (``updated_at`` of the moved ticket names its new day only)."""
    if not QueueDailyFigures.objects.filter(day=day, hour=DAY_ROW_HOUR).exists():
        return 0
    return daily_figures_recompute(first=day, last=day, tz=tz, now=now)


def daily_figures_refresh(*, tz: str, now: datetime | None = None) -> int:
    """The periodic job of one tenant: roll up yesterday if it is not yet, and recompute
    every rolled-up day an application or a queue ticket was updated since, the days whose
    SKM were rolled up before the day ended, and the days whose applications are rolled up
    but not their queue or SKM (as after those rollups were added). Contiguous days are
    recomputed together. Returns the days written."""
    now = now or timezone.now()
    yesterday = local_today(tz, now) - timedelta(days=1)
    computed = dict(
        DailyFigures.objects.filter(status=DAY_ROW_STATUS).values_list("day", "computed_at")
    )
    queue_computed = dict(
        QueueDailyFigures.objects.filter(hour=DAY_ROW_HOUR).values_list("day", "computed_at")
    )
    skm_computed = dict(
        SkmDailyFigures.objects.filter(agency_id=DAY_ROW_AGENCY).values_list("day", "computed_at")
    )
    days = rollup_stale_days(computed=computed, tz=tz)
    days |= ticket_days_changed(computed=queue_computed)
    days |= skm_days_unfinished(computed=skm_computed, tz=tz)
    days |= set(computed) - set(queue_computed)
    days |= set(computed) - set(skm_computed)
    if yesterday not in computed:
        days.add(yesterday)
    return sum(daily_figures_recompute(first=first, last=last, tz=tz, now=now)
               for first, last in day_runs(days))


def daily_figures_backfill(*, tz: str, first: date | None = None, last: date | None = None,
                           now: datetime | None = None) -> int:
    """Roll up ``first``..``last`` (default: from the first submission or queue ticket to
    yesterday)."""
    from applications.models import Application
    from hall.selectors import first_ticket_day

    now = now or timezone.now()
    if first is None:
        earliest = Application.objects.filter(submitted_at__isnull=False).order_by(
            "submitted_at").values_list("submitted_at", flat=True).first()
        starts = [day for day in (earliest and local_today(tz, earliest), first_ticket_day())
                  if day is not None]
        if not starts:
            return 0
        first = min(starts)
    return daily_figures_recompute(first=first, last=last or local_today(tz, now), tz=tz, now=now)
