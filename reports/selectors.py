"""Reads of the reports app: the tenant performance dashboard for a period.

Everything is aggregated in SQL (GROUP BY, FILTER, percentile_cont), so the number of
queries is constant whatever the period or data size (``DASHBOARD_QUERIES``; asserted in
tests), and a 100,000-application tenant answers in milliseconds (``bench/bench_reports.py``).
An OPD head (``agency_ids``) sees only their OPDs' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, ExtractHour
from django.utils import timezone

from agencies.models import Agency
from applications.models import PENDING_DECISION_STATUSES as OPEN_STATUSES
from applications.models import Application, ApplicationStep, SlaState, Status
from feedback.ikm import IkmResult
from feedback.models import Complaint
from feedback.selectors import Period, ikm_for_period
from hall.models import Ticket

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
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime | None = None
) -> Dashboard:
    """The dashboard figures (``agency_ids=None``: the whole tenant)."""
    now = now or timezone.now()
    board = Dashboard(period=period, applications_available=Application is not None)
    names = {a.pk: str(a) for a in Agency.objects.all()}  # 1 query
    if Application is not None:
        apps = _applications(period, tz, agency_ids)
        aggregates = _app_aggregates(now)
        board.totals = _finish_app_row(apps.aggregate(**aggregates))  # 1
        board.by_status = list(  # 1
            apps.values("status").annotate(n=Count("id")).order_by("-n", "status")
        )
        status_labels = dict(Application.Status.choices)
        for row in board.by_status:
            row["label"] = str(status_labels.get(row["status"], row["status"]))
        board.by_service = [  # 1
            _finish_app_row(row)
            for row in apps.values("service_code").annotate(**aggregates).order_by("-received")
        ]
        board.by_agency = [  # 1
            {**_finish_app_row(row), "name": names.get(row["agency_id"], "?")}
            for row in apps.values("agency_id").annotate(**aggregates).order_by("-received")
        ]
        board.by_step = step_performance(period=period, tz=tz, agency_ids=agency_ids,
                                         names=names)  # 1
    _queue(board, period, tz, agency_ids)  # 3
    _ikm(board, period, tz, agency_ids, names)  # 3
    _complaints(board, period, tz, agency_ids, now)  # 1
    return board


DASHBOARD_QUERIES = 13


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
    tickets = Ticket.objects.filter(day__gte=period.start, day__lte=period.end)
    if agency_ids is not None:
        tickets = tickets.filter(agency_id__in=agency_ids)
    figures = {
        "tickets": Count("id", filter=~Q(status=Ticket.Status.CANCELLED)),
        "served": Count("id", filter=Q(status=Ticket.Status.DONE)),
        "no_show": Count("id", filter=Q(status=Ticket.Status.NO_SHOW)),
        "avg_wait": Avg("wait_seconds"),
        "median_wait": Median("wait_seconds", filter=Q(wait_seconds__isnull=False)),
        "avg_service": Avg("service_seconds"),
    }

    def finish(row: dict[str, Any]) -> dict[str, Any]:
        for key in ("avg_wait", "median_wait", "avg_service"):
            row[f"{key}_minutes"] = _minutes(row.pop(key))
        return row

    board.queue_totals = finish(
        tickets.aggregate(**figures, bookings=Count("id", filter=Q(kind=Ticket.Kind.BOOKING)))
    )
    board.queue_by_counter = [
        finish(row)
        for row in tickets.filter(counter__isnull=False)
        .values("counter_id", "counter__name")
        .annotate(**figures)
        .order_by("counter__name")
    ]
    board.queue_by_hour = [
        finish(row)
        for row in tickets.filter(called_at__isnull=False)
        .annotate(hour=ExtractHour("called_at", tzinfo=ZoneInfo(tz)))
        .values("hour")
        .annotate(**figures)
        .order_by("hour")
    ]


def _ikm(
    board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None,
    names: dict[int, str],
) -> None:
    board.ikm = ikm_for_period(period=period, tz=tz, agency_ids=agency_ids)
    board.ikm_by_service = ikm_for_period(
        period=period, tz=tz, group_by="service_code", agency_ids=agency_ids
    )
    by_agency = ikm_for_period(period=period, tz=tz, group_by="agency_id", agency_ids=agency_ids)
    board.ikm_by_agency = [(names.get(pk, "—"), result) for pk, result in by_agency.items()]


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
