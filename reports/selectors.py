"""Reads of the reports app: the tenant performance dashboard for a period.

The applications figures of past days come from the daily rollups (``DailyFigures``,
docs/adr/0012); today, days never rolled up and days with an application updated since
their rollup are read live, in the same row shape, and merged in Python. The rollups keep
the raw durations and deadlines, so the result is identical to the fully live aggregate
(``live_application_figures``; compared in tests). Queue, IKM, complaints and the step
table are aggregated live in SQL. The number of queries is constant whatever the period or
data size (``DASHBOARD_QUERIES``; asserted in tests). An OPD head (``agency_ids``) sees only
their OPDs' rows.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from agencies.models import Agency
from applications.models import PENDING_DECISION_STATUSES as OPEN_STATUSES
from applications.models import Application, ApplicationStep, SlaState, Status
from feedback.ikm import IkmResult
from feedback.models import Complaint
from feedback.selectors import Period, ikm_breakdown
from hall.selectors import queue_figures

from .models import DAY_ROW_STATUS, DailyFigures

FINISHED_STATUSES = (Status.APPROVED, Status.REJECTED, Status.COMPLETED)
OPEN_COMPLAINTS = ("submitted", "verified", "responded")


class Median(Aggregate):
    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Percentile90(Median):
    name = "Percentile90"
    template = "%(function)s(0.9) WITHIN GROUP (ORDER BY %(expressions)s)"


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def _duration(later: str, earlier: str) -> EpochSeconds:
    return EpochSeconds(ExpressionWrapper(F(later) - F(earlier), output_field=DurationField()))


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


@dataclass
class Dashboard:
    period: Period
    applications_available: bool
    totals: dict[str, Any] = field(default_factory=dict)
    by_status: list[dict[str, Any]] = field(default_factory=list)
    by_service: list[dict[str, Any]] = field(default_factory=list)
    by_agency: list[dict[str, Any]] = field(default_factory=list)
    by_step: list[dict[str, Any]] = field(default_factory=list)
    queue_totals: dict[str, Any] = field(default_factory=dict)
    queue_by_counter: list[dict[str, Any]] = field(default_factory=list)
    queue_by_hour: list[dict[str, Any]] = field(default_factory=list)
    ikm: IkmResult | None = None
    ikm_by_service: dict[str, IkmResult] = field(default_factory=dict)
    ikm_by_agency: list[tuple[str, IkmResult]] = field(default_factory=list)
    complaints: dict[str, Any] = field(default_factory=dict)


def _applications(period: Period, tz: str, agency_ids: list[int] | None) -> QuerySet:
    start, end = period.bounds(tz)
    qs = Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs.annotate(finished_at=Coalesce("completed_at", "decided_at"))


def _app_aggregates(now: datetime) -> dict[str, Any]:
    finished = Q(status__in=FINISHED_STATUSES)
    return {
        "received": Count("id"),
        "finished": Count("id", filter=finished),
        "met": Count("id", filter=finished & Q(due_at__isnull=False, finished_at__lte=F("due_at"))),
        "missed": Count("id", filter=finished & Q(due_at__isnull=False, finished_at__gt=F("due_at"))),
        "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        "breached": Count("id", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
        "median_seconds": Median(
            _duration("finished_at", "submitted_at"), filter=finished & Q(finished_at__isnull=False)
        ),
    }


def _finish_app_row(row: dict[str, Any]) -> dict[str, Any]:
    row["median_hours"] = _hours(row.pop("median_seconds"))
    row["compliance_pct"] = _pct(row["met"], row["met"] + row["missed"])
    return row


def dashboard(
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime | None = None,
    use_rollups: bool = True,
) -> Dashboard:
    """The dashboard figures (``agency_ids=None``: the whole tenant). ``use_rollups=False``
    computes every application figure live (the reference the rollups are tested against)."""
    now = now or timezone.now()
    board = Dashboard(period=period, applications_available=Application is not None)
    names = {a.pk: str(a) for a in Agency.objects.all()}  # 1 query
    if Application is not None:
        if use_rollups:
            figures = application_figures(period=period, tz=tz, agency_ids=agency_ids,
                                          now=now)  # 3
        else:
            figures = live_application_figures(period=period, tz=tz, agency_ids=agency_ids,
                                               now=now)  # 4
        board.totals, board.by_status = figures["totals"], figures["by_status"]
        board.by_service = figures["by_service"]
        board.by_agency = [{**row, "name": names.get(row["agency_id"], "?")}
                           for row in figures["by_agency"]]
        status_labels = dict(Application.Status.choices)
        for row in board.by_status:
            row["label"] = str(status_labels.get(row["status"], row["status"]))
        board.by_step = step_performance(period=period, tz=tz, agency_ids=agency_ids,
                                         names=names)  # 1
    _queue(board, period, tz, agency_ids)  # 1
    _ikm(board, period, tz, agency_ids, names)  # 1
    _complaints(board, period, tz, agency_ids, now)  # 1
    return board


DASHBOARD_QUERIES = 8


def live_application_figures(
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime
) -> dict[str, Any]:
    """Totals, per status, per service and per OPD of the applications submitted in the
    period, aggregated live in SQL over the whole period (four queries)."""
    apps = _applications(period, tz, agency_ids)
    aggregates = _app_aggregates(now)
    by_status = apps.values("status").annotate(n=Count("id")).order_by()
    by_service = apps.values("service_code").annotate(**aggregates).order_by()
    by_agency = apps.values("agency_id").annotate(**aggregates).order_by()
    return {  # ordered as merge_day_rows orders them (ties by code, in Python)
        "totals": _finish_app_row(apps.aggregate(**aggregates)),
        "by_status": sorted(by_status, key=lambda r: (-r["n"], r["status"])),
        "by_service": sorted((_finish_app_row(row) for row in by_service),
                             key=lambda r: (-r["received"], r["service_code"])),
        "by_agency": sorted((_finish_app_row(row) for row in by_agency),
                            key=lambda r: (-r["received"], r["agency_id"])),
    }


# --------------------------------------------------------------------------- daily rollups

# A rollup is trusted for the applications updated before ``computed_at``; it is stamped this
# much before the read so a writer that set ``updated_at`` before our snapshot but committed
# after it still makes the day stale (a longer transaction than this is not expected).
ROLLUP_MARGIN = timedelta(minutes=10)


class EpochMicros(Func):
    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def epoch_micros(moment: datetime) -> int:
    """What ``EpochMicros`` gives in SQL, exactly (integer microseconds since 1970 UTC)."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def application_day_rows(
    *, ranges: Iterable[tuple[datetime, datetime]], tz: str,
    agency_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """The applications submitted in ``ranges`` ([start, end) pairs), one row per local
    submission day × service × OPD × status: counts and the raw values of the medians and of
    the "breached" count (sorted). The shape of ``DailyFigures``; one query (an empty
    ``ranges`` still runs it, so the dashboard's query count is constant)."""
    condition = Q()
    for start, end in ranges:
        condition |= Q(submitted_at__gte=start, submitted_at__lt=end)
    if not condition:
        condition = Q(submitted_at__isnull=True) & Q(submitted_at__isnull=False)  # nothing
    qs = Application.objects.filter(condition)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    finished = Q(status__in=FINISHED_STATUSES)
    rows = (
        qs.annotate(finished_at=Coalesce("completed_at", "decided_at"),
                    day=TruncDate("submitted_at", tzinfo=ZoneInfo(tz)))
        .values("day", "service_code", "agency_id", "status")
        .annotate(
            received=Count("id"),
            met=Count("id", filter=finished & Q(due_at__isnull=False,
                                                 finished_at__lte=F("due_at"))),
            missed=Count("id", filter=finished & Q(due_at__isnull=False,
                                                    finished_at__gt=F("due_at"))),
            # the same float8 values percentile_cont orders in live_application_figures
            finish_seconds=ArrayAgg(
                Cast(_duration("finished_at", "submitted_at"), FloatField()),
                filter=finished & Q(finished_at__isnull=False),
            ),
            open_due_us=ArrayAgg(
                EpochMicros("due_at"), filter=Q(status__in=OPEN_STATUSES, due_at__isnull=False)
            ),
        )
        .order_by()
    )
    result = []
    for row in rows:
        row["finish_seconds"] = sorted(row["finish_seconds"] or ())
        row["open_due_us"] = sorted(row["open_due_us"] or ())
        result.append(row)
    return result


def rollup_stale_days(*, computed: dict[date, datetime], tz: str) -> set[date]:
    """The rolled-up days (``computed``: day → ``computed_at``) with an application updated
    after their rollup (a decision, a completion, a hand-off to another OPD …). One query
    (also when ``computed`` is empty)."""
    if computed:
        first, last = min(computed), max(computed)
        since = min(computed.values())
    else:
        first = last = date(1970, 1, 1)
        since = datetime.max.replace(tzinfo=UTC)
    start, end = Period(first, last).bounds(tz)
    rows = (
        Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end,
                                   updated_at__gt=since)
        .annotate(day=TruncDate("submitted_at", tzinfo=ZoneInfo(tz)))
        .values("day").annotate(last=Max("updated_at")).order_by()
    )
    return {row["day"] for row in rows if row["day"] in computed
            and row["last"] > computed[row["day"]]}


def _day_ranges(days: Iterable[date], tz: str) -> list[tuple[datetime, datetime]]:
    """Contiguous runs of ``days`` as [start, end) instants of the tenant's days."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return [Period(first, last).bounds(tz) for first, last in ranges]


def application_figures(
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime
) -> dict[str, Any]:
    """``live_application_figures`` from the rollups of the past days of the period plus a
    live read of the others (today, days not rolled up, days stale). Three queries."""
    today = now.astimezone(ZoneInfo(tz)).date()
    rolled = DailyFigures.objects.filter(day__gte=period.start, day__lte=period.end,
                                         day__lt=today)
    if agency_ids is not None:
        rolled = rolled.filter(Q(agency_id__in=agency_ids) | Q(status=DAY_ROW_STATUS))
    rows: list[dict[str, Any]] = []
    computed: dict[date, datetime] = {}
    # the stamp of the day rows only: parsing one timestamp per row would cost more than SQL
    stamp = Case(When(status=DAY_ROW_STATUS, then="computed_at"))
    for row in rolled.annotate(stamp=stamp).values(
        "day", "service_code", "agency_id", "status", "received", "met", "missed",
        "finish_seconds", "open_due_us", "stamp",
    ):  # 1
        if row["status"] == DAY_ROW_STATUS:
            computed[row["day"]] = row["stamp"]
        else:
            rows.append(row)
    stale = rollup_stale_days(computed=computed, tz=tz)  # 1
    fresh = set(computed) - stale
    rows = [row for row in rows if row["day"] in fresh]
    days = (period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1))
    rows += application_day_rows(  # 1
        ranges=_day_ranges((d for d in days if d not in fresh), tz), tz=tz, agency_ids=agency_ids
    )
    return merge_day_rows(rows, now=now)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont`` over sorted ``values`` (same interpolation)."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    if lower == upper:
        return values[lower]
    low, high = values[lower], values[upper]
    return low + (high - low) * (position - lower)


def merge_day_rows(rows: list[dict[str, Any]], *, now: datetime) -> dict[str, Any]:
    """Day rows (rolled up or live) → the figures of ``live_application_figures``."""
    now_us = epoch_micros(now)

    keys: tuple[Callable[[dict[str, Any]], Any], ...] = (
        lambda row: None, lambda row: row["service_code"], lambda row: row["agency_id"],
    )
    groups: list[dict[Any, dict[str, Any]]] = [{} for _ in keys]
    durations: list[dict[Any, list[float]]] = [defaultdict(list) for _ in keys]
    by_status: dict[str, int] = defaultdict(int)
    for row in rows:  # one pass, three groupings (tenant, service, OPD)
        n, status = row["received"], row["status"]
        by_status[status] += n
        finished, pending = status in FINISHED_STATUSES, status in OPEN_STATUSES
        breached = bisect_left(row["open_due_us"], now_us) if pending else 0
        for key, grouped, seconds in zip(keys, groups, durations, strict=True):
            k = key(row)
            figures = grouped.get(k)
            if figures is None:
                figures = grouped[k] = {"received": 0, "finished": 0, "met": 0, "missed": 0,
                                        "open": 0, "breached": 0}
            figures["received"] += n
            figures["met"] += row["met"]
            figures["missed"] += row["missed"]
            if finished:
                figures["finished"] += n
                seconds[k] += row["finish_seconds"]
            elif pending:
                figures["open"] += n
                figures["breached"] += breached
    for grouped, seconds in zip(groups, durations, strict=True):
        for k, figures in grouped.items():
            figures["median_seconds"] = percentile_cont(sorted(seconds[k]), 0.5)
            _finish_app_row(figures)
    totals = groups[0].get(None) or _finish_app_row({
        "received": 0, "finished": 0, "met": 0, "missed": 0, "open": 0, "breached": 0,
        "median_seconds": None,
    })
    return {
        "totals": totals,
        "by_status": [{"status": s, "n": n}
                      for s, n in sorted(by_status.items(), key=lambda i: (-i[1], i[0]))],
        "by_service": sorted(
            ({"service_code": k, **v} for k, v in groups[1].items()),
            key=lambda r: (-r["received"], r["service_code"]),
        ),
        "by_agency": sorted(
            ({"agency_id": k, **v} for k, v in groups[2].items()),
            key=lambda r: (-r["received"], r["agency_id"]),
        ),
    }


def step_performance(
    *, period: Period, tz: str, agency_ids: list[int] | None = None,
    names: dict[int, str] | None = None,
) -> list[dict[str, Any]]:
    """Accountability per OPD and workflow step (issue 13): the steps finished in the period
    (count, on time, late, median and p90 hours from arrival at the step to leaving it) and
    the steps open now past their own deadline. A late step counts against the OPD that held
    the file, whatever OPD the application started at. One query; the slowest first."""
    start, end = period.bounds(tz)
    finished = Q(finished_at__isnull=False)
    steps = ApplicationStep.objects.filter(
        Q(finished_at__gte=start, finished_at__lt=end)
        | Q(finished_at__isnull=True, sla_state=SlaState.BREACHED)
    )
    if agency_ids is not None:
        steps = steps.filter(agency_id__in=agency_ids)
    if names is None:
        names = {a.pk: str(a) for a in Agency.objects.all()}
    rows = steps.values("agency_id", "step_code").annotate(
        step_name=Max("step_name"),
        finished=Count("id", filter=finished),
        met=Count("id", filter=finished & Q(sla_state=SlaState.MET)),
        missed=Count("id", filter=finished & Q(sla_state=SlaState.MISSED)),
        open_breached=Count("id", filter=Q(finished_at__isnull=True)),
        median_seconds=Median(_duration("finished_at", "started_at"), filter=finished),
        p90_seconds=Percentile90(_duration("finished_at", "started_at"), filter=finished),
    )
    result = []
    for row in rows:
        row["name"] = names.get(row["agency_id"], "?")
        row["median_hours"] = _hours(row.pop("median_seconds"))
        row["p90_hours"] = _hours(row.pop("p90_seconds"))
        row["breaches"] = row["missed"] + row["open_breached"]
        row["compliance_pct"] = _pct(row["met"], row["met"] + row["missed"])
        result.append(row)
    result.sort(key=lambda r: (-r["breaches"], -(r["p90_hours"] or 0), r["name"]))
    return result


def _queue(board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None) -> None:
    figures = queue_figures(start=period.start, end=period.end, tz=tz,
                            agency_ids=agency_ids)  # 1 query

    def finish(row: dict[str, Any]) -> dict[str, Any]:
        for key in ("avg_wait", "median_wait", "avg_service"):
            row[f"{key}_minutes"] = _minutes(row.pop(key))
        return row

    board.queue_totals = finish(dict(figures.totals))
    board.queue_by_counter = [finish(dict(row)) for row in figures.by_counter]
    board.queue_by_hour = [finish(dict(row)) for row in figures.by_hour]


def _ikm(
    board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None,
    names: dict[int, str],
) -> None:
    ikm = ikm_breakdown(period=period, tz=tz, agency_ids=agency_ids)  # 1 query
    board.ikm, board.ikm_by_service = ikm.total, ikm.by_service
    board.ikm_by_agency = [(names.get(pk, "—"), result) for pk, result in ikm.by_agency.items()]


def _complaints(
    board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None, now: datetime
) -> None:
    start, end = period.bounds(tz)
    qs = Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    row = qs.aggregate(
        received=Count("id"),
        auto=Count("id", filter=Q(origin=Complaint.Origin.SLA_BREACH)),
        open=Count("id", filter=Q(status__in=OPEN_COMPLAINTS)),
        closed=Count("id", filter=Q(status__in=("closed", "rejected"))),
        verified_in_time=Count("id", filter=Q(verified_at__isnull=False, verified_at__lte=F("verify_due"))),
        verified=Count("id", filter=Q(verified_at__isnull=False)),
        overdue=Count("id", filter=Q(status="submitted", verify_due__lt=now)
                      | Q(status="verified", respond_due__lt=now)),
        median_close=Median(_duration("closed_at", "created_at"), filter=Q(closed_at__isnull=False)),
        median_verify=Median(_duration("verified_at", "created_at"), filter=Q(verified_at__isnull=False)),
    )
    row["median_close_hours"] = _hours(row.pop("median_close"))
    row["median_verify_hours"] = _hours(row.pop("median_verify"))
    row["verify_compliance_pct"] = _pct(row["verified_in_time"], row["verified"])
    board.complaints = row


def month_period(value: str | None, *, today: date) -> Period:
    """``YYYY-MM`` (default: this month) → the whole month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, nxt - timedelta(days=1))


def parse_period(params: Any, *, today: date) -> Period:
    """``?dari=YYYY-MM-DD&sampai=YYYY-MM-DD`` or ``?bulan=YYYY-MM`` (max 3 years)."""
    try:
        start = date.fromisoformat(params.get("dari", ""))
        end = date.fromisoformat(params.get("sampai", ""))
    except ValueError:
        return month_period(params.get("bulan"), today=today)
    if end < start:
        start, end = end, start
    return Period(start, min(end, start + timedelta(days=366 * 3)))


# --------------------------------------------------------------------------- published figures


PUBLISHED_DAYS = 90


@dataclass
class PublishedPerformance:
    """What the portal home publishes for the last ``PUBLISHED_DAYS`` days (PermenPANRB
    14/2017: survey results are public; UU 25/2009: performance and complaint follow-up).
    No names of people, only counts and rates."""

    period: Period
    ikm: IkmResult | None = None
    ikm_by_service: dict[str, IkmResult] = field(default_factory=dict)
    ikm_by_agency: list[tuple[str, IkmResult]] = field(default_factory=list)
    sla: dict[str, Any] = field(default_factory=dict)
    complaints: dict[str, Any] = field(default_factory=dict)

    @property
    def has_any(self) -> bool:
        return bool(
            (self.ikm and self.ikm.respondents) or self.sla.get("finished")
            or self.complaints.get("received")
        )


def published_performance(
    *, today: date, tz: str, days: int = PUBLISHED_DAYS, now: datetime | None = None
) -> PublishedPerformance:
    """The public figures of the tenant: IKM (tenant, per service, per OPD), SLA compliance
    of finished applications and complaint follow-up. Six queries whatever the data size;
    the portal caches the rendered result (services.home)."""
    now = now or timezone.now()
    period = Period(today - timedelta(days=days - 1), today)
    result = PublishedPerformance(period=period)
    names = {a.pk: str(a) for a in Agency.objects.all()}  # 1 query
    shadow = Dashboard(period=period, applications_available=True)
    _ikm(shadow, period, tz, None, names)  # 3
    result.ikm, result.ikm_by_agency = shadow.ikm, shadow.ikm_by_agency
    result.ikm_by_service = shadow.ikm_by_service
    result.sla = _finish_app_row(  # 1
        _applications(period, tz, None).aggregate(**_app_aggregates(now))
    )
    _complaints(shadow, period, tz, None, now)  # 1
    result.complaints = shadow.complaints
    return result
