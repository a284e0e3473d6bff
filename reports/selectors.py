"""Reads of the reports app: the tenant performance dashboard for a period.

The applications figures of past days come from the daily rollups (``DailyFigures``,
docs/adr/0012); today, days never rolled up and days with an application updated since
their rollup are read live, in the same row shape, and merged in SQL (0015). The rollups keep
the raw durations and deadlines, so the result is identical to the fully live aggregate
(``live_application_figures``; compared in tests). The queue and the IKM do the same from
their own rollups (``QueueDailyFigures``, ``SkmDailyFigures``; 0015); complaints and the
step table are aggregated live in SQL. The number of queries is constant whatever the period or
data size (``DASHBOARD_QUERIES``; asserted in tests). An OPD head (``agency_ids``) sees only
their OPDs' rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
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
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from agencies.models import Agency
from applications.models import PENDING_DECISION_STATUSES as OPEN_STATUSES
from applications.models import Application, ApplicationStep, SlaState, Status
from core.concurrency import beside
from feedback.ikm import IkmResult
from feedback.models import Complaint
from feedback.selectors import (
    DAY_SPANS_SQL,
    SKM_SUM_COLUMNS,
    IkmBreakdown,
    Period,
    ikm_breakdown,
    ikm_breakdown_from_groups,
    skm_rows_sql,
)
from hall.selectors import (
    ALL_COUNTERS,
    ALL_HOURS,
    QUEUE_ROW_COLUMNS,
    QueueFigures,
    counter_table,
    queue_figures,
    queue_figures_from_rows,
    queue_rows_sql,
    ticket_table,
)

from .models import (
    DAY_ROW_AGENCY,
    DAY_ROW_HOUR,
    DAY_ROW_STATUS,
    FINISH_CUTS,
    NOT_CALLED,
    WAIT_CUTS,
    DailyFigures,
    QueueDailyFigures,
    SkmDailyFigures,
)

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
    use_rollups: bool = True, detail: bool = True,
) -> Dashboard:
    """The dashboard figures (``agency_ids=None``: the whole tenant). ``use_rollups=False``
    computes every application and queue figure live (the reference the rollups are tested
    against). ``detail=False`` (the page): the medians the page does not show are None (per
    service; queue waits per counter and per hour), the exports take them all."""
    now = now or timezone.now()
    board = Dashboard(period=period, applications_available=Application is not None)
    names = {a.pk: str(a) for a in Agency.objects.all()}  # 1 query

    def side() -> None:  # the other sections, on a second connection (core.concurrency)
        _queue(board, period, tz, agency_ids, now, use_rollups, detail)  # 1
        _ikm(board, period, tz, agency_ids, names, use_rollups)  # 1
        _complaints(board, period, tz, agency_ids, now)  # 1
        if Application is not None:
            board.by_step = step_performance(period=period, tz=tz, agency_ids=agency_ids,
                                             names=names)  # 1

    others = beside(side)
    if Application is not None:
        if use_rollups:
            figures = application_figures(period=period, tz=tz, agency_ids=agency_ids,
                                          now=now, detail=detail)  # 1
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
    others.result()
    return board


DASHBOARD_QUERIES = 6


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


def skm_days_unfinished(*, computed: dict[date, datetime], tz: str) -> set[date]:
    """The SKM-rolled days (``computed``: day → ``computed_at``) rolled up before the day had
    ended: an answer or invitation may have come after (a later day never goes stale)."""
    return {day for day, at in computed.items() if at < Period(day, day).bounds(tz)[1]}


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Contiguous runs of ``days`` as (first, last) pairs, in order."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _dict_rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one statement as dicts (column name → value)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _quoted(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --------------------------------------------------------------------------- exact medians


_BUCKET_MEDIAN_SQL = """{p}rows AS NOT MATERIALIZED (
    SELECT gkey, vals, cuts FROM {p}src
    WHERE cardinality(vals) > 0 AND cardinality(cuts) = {m}
), {p}live AS MATERIALIZED (
    SELECT gkey, v FROM {p}one
    UNION ALL
    SELECT gkey, v FROM {p}src, unnest(vals) AS v
    WHERE cardinality(cuts) IS DISTINCT FROM {m}
), {p}b AS (
    SELECT 1 - GROUPING(gkey) AS gkind, CASE WHEN GROUPING(gkey) = 0 THEN gkey ELSE 0 END AS gkey,
           sum(n) AS n, ARRAY[{sums}]::bigint[] AS below
    FROM (SELECT gkey, cardinality(vals) AS n, {row_cols} FROM {p}rows
          UNION ALL
          SELECT gkey, 1, {live_cols} FROM {p}live) x
    GROUP BY GROUPING SETS ((), (gkey))
    HAVING sum(n) > 0 AND (GROUPING(gkey) = 1 OR {per_key})
), {p}want AS (
    SELECT x.gkind, x.gkey, r.which, r.k, b.b, r.k - COALESCE(x.below[b.b], 0) AS o
    FROM {p}b x, LATERAL (VALUES (1, (x.n - 1) / 2), (2, x.n / 2)) AS r(which, k),
         LATERAL (SELECT count(*)::int AS b FROM unnest(x.below) AS c WHERE c <= r.k) AS b
), {p}fetch AS (
    SELECT DISTINCT gkind, gkey, b FROM {p}want
), {p}ranked AS (
    SELECT gkind, gkey, b, v::float8 AS v,
           row_number() OVER (PARTITION BY gkind, gkey, b ORDER BY v) - 1 AS i
    FROM (SELECT f.gkind, f.gkey, f.b, v FROM {p}fetch f
          JOIN {p}rows m ON (f.gkind = 0 OR m.gkey = f.gkey)
              AND COALESCE(m.cuts[f.b + 1], cardinality(m.vals)) > COALESCE(m.cuts[f.b], 0)
          CROSS JOIN LATERAL unnest(m.vals[COALESCE(m.cuts[f.b], 0) + 1
                                           : COALESCE(m.cuts[f.b + 1], cardinality(m.vals))]) v
          UNION ALL
          SELECT f.gkind, f.gkey, f.b, l.v FROM {p}fetch f
          JOIN {p}live l ON f.gkind = 0 OR l.gkey = f.gkey
          WHERE width_bucket(l.v, {bounds}) = f.b) x
), {p}med AS (
    SELECT gkind, gkey,
           CASE WHEN min(k) = max(k) THEN max(v) FILTER (WHERE which = 1)
                ELSE max(v) FILTER (WHERE which = 1) + 0.5::float8
                     * (max(v) FILTER (WHERE which = 2) - max(v) FILTER (WHERE which = 1))
           END AS median
    FROM (SELECT w.gkind, w.gkey, w.which, w.k, r.v FROM {p}want w
          JOIN {p}ranked r ON r.gkind = w.gkind AND r.gkey = w.gkey AND r.b = w.b
              AND r.i = w.o) x
    GROUP BY gkind, gkey
)"""


def bucket_median_ctes(prefix: str, thresholds: tuple[int, ...], kind: str, *,
                       per_key: bool) -> str:
    """CTEs (``{prefix}rows`` … ``{prefix}med``) giving the exact median (what
    ``percentile_cont(0.5)`` gives) of all the values of two CTEs the caller defines before
    them (group ``gkind = 0``) and, if ``per_key``, of those of each ``gkey`` (``gkind =
    1``): ``{prefix}src(gkey, vals, cuts)``, rows with their sorted values and cuts over
    ``thresholds`` (reports.models.cuts_of; a row without them, as one written before they
    existed, counts value by value), and ``{prefix}one(gkey, v)``, single values. The cuts
    summed over a group say which bucket between two thresholds holds each of its two
    middle ranks; only the values of those buckets are read (array slices) and sorted, then
    lerped as percentile_cont does (``lo + 0.5 * (hi - lo)`` in float8, ``lo`` if the ranks
    are one). ``{prefix}med(gkind, gkey, median)``: one row per group with a value (``gkey =
    0`` for the whole)."""
    m = len(thresholds)
    row_cols = ", ".join(f"cuts[{j}] AS c{j}" for j in range(1, m + 1))
    live_cols = ", ".join(f"(v < {t})::int" for t in thresholds)
    sums = ", ".join(f"sum(c{j})" for j in range(1, m + 1))
    bounds = "ARRAY[{}]::{}[]".format(", ".join(str(t) for t in thresholds), kind)
    return _BUCKET_MEDIAN_SQL.format(p=prefix, m=m, per_key="TRUE" if per_key else "FALSE",
                                     sums=sums, row_cols=row_cols,
                                     live_cols=live_cols, bounds=bounds)


# One statement: the past days of the period (``past``: their span in UTC and their rollup's
# stamp, none if not rolled up); a rolled-up day is fresh if none of its applications was
# updated after the stamp (one index range probe per day, ``app_submitted_updated_idx``);
# the other past days and today on are read live (``spans``: index range scans), the fresh
# days from their rollup rows; all are then aggregated as the live query does: counts by
# status, service and OPD, exact medians (percentile_cont over the same float8 values),
# "breached" against now (a rollup row's sorted deadlines are unnested only if ``now`` falls
# between its first and its last).
_APPLICATIONS_SQL = """
WITH stamps AS (
    SELECT day, computed_at FROM {daily}
    WHERE status = %(a_day_row)s AND day >= %(a_first)s AND day <= %(a_past_last)s
), past AS (
    SELECT g::date AS day, g::date::timestamp AT TIME ZONE %(a_tz)s AS lo,
           (g::date + 1)::timestamp AT TIME ZONE %(a_tz)s AS hi, s.computed_at
    FROM generate_series(%(a_first)s::date, %(a_past_last)s::date, interval '1 day') AS g
    LEFT JOIN stamps s ON s.day = g::date
), fresh AS MATERIALIZED (
    SELECT p.day FROM past p
    WHERE p.computed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM {apps} a
                      WHERE a.submitted_at >= p.lo AND a.submitted_at < p.hi
                        AND a.updated_at > p.computed_at)
), spans AS (
    SELECT lo, hi FROM past WHERE day NOT IN (SELECT day FROM fresh)
    UNION ALL
    SELECT %(a_live_start)s::timestamptz, %(a_end)s::timestamptz
    WHERE %(a_live_start)s::timestamptz < %(a_end)s::timestamptz
), live AS MATERIALIZED (
    SELECT {columns} FROM spans sp
    JOIN {apps} a ON a.submitted_at >= sp.lo AND a.submitted_at < sp.hi
    WHERE TRUE {live_agency_filter}
), rolled AS (
    SELECT d.service_code, d.agency_id, d.status, d.received, d.met, d.missed,
           d.finish_seconds, d.open_due_us, d.finish_cuts
    FROM {daily} d
    WHERE d.day IN (SELECT day FROM fresh)
      AND d.status <> %(a_day_row)s {rolled_agency_filter}
), counted AS (
    SELECT service_code, agency_id, status, received, met, missed,
           CASE WHEN status <> ALL(%(a_open)s) OR cardinality(open_due_us) = 0
                     OR open_due_us[1] >= %(a_now_us)s THEN 0
                WHEN open_due_us[cardinality(open_due_us)] < %(a_now_us)s
                THEN cardinality(open_due_us)
                ELSE (SELECT count(*) FROM unnest(open_due_us) u WHERE u < %(a_now_us)s)
                END AS breached
    FROM rolled
    UNION ALL
    SELECT service_code, agency_id, status, 1, met::int, missed::int, breached::int FROM live
), durations AS (
    SELECT service_code, agency_id, s AS seconds
    FROM rolled, unnest(finish_seconds) AS s WHERE status = ANY(%(a_finished)s)
    UNION ALL
    SELECT service_code, agency_id, seconds FROM live WHERE seconds IS NOT NULL
), counts AS (
    SELECT GROUPING(service_code) AS g_service, GROUPING(agency_id) AS g_agency,
           GROUPING(status) AS g_status, service_code, agency_id, status,
           COALESCE(sum(received), 0) AS received,
           COALESCE(sum(received) FILTER (WHERE status = ANY(%(a_finished)s)), 0) AS finished,
           COALESCE(sum(met), 0) AS met, COALESCE(sum(missed), 0) AS missed,
           COALESCE(sum(received) FILTER (WHERE status = ANY(%(a_open)s)), 0) AS open,
           COALESCE(sum(breached), 0) AS breached
    FROM counted
    GROUP BY GROUPING SETS ((), (service_code), (agency_id), (status))
), {medians}
)
SELECT c.*, m.median_seconds FROM counts c
LEFT JOIN medians m ON c.g_status = 1 AND m.g_service = c.g_service
    AND m.g_agency = c.g_agency AND m.service_code IS NOT DISTINCT FROM c.service_code
    AND m.agency_id IS NOT DISTINCT FROM c.agency_id
"""

# the medians per service and per OPD and of the tenant (the exports), sorting every duration
_APPLICATION_MEDIANS = """medians AS (
    SELECT GROUPING(service_code) AS g_service, GROUPING(agency_id) AS g_agency,
           service_code, agency_id,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_seconds
    FROM durations GROUP BY GROUPING SETS ((), (service_code), (agency_id))"""
# the page's medians, of the tenant (group 0) and per OPD (1), from the rollups' cuts
_APPLICATION_BUCKET_MEDIANS = """msrc AS NOT MATERIALIZED (
    SELECT agency_id AS gkey, finish_seconds AS vals, finish_cuts AS cuts FROM rolled
    WHERE status = ANY(%(a_finished)s)
), mone AS NOT MATERIALIZED (
    SELECT agency_id AS gkey, seconds AS v FROM live WHERE seconds IS NOT NULL
), {ctes}, medians AS (
    SELECT 1 AS g_service, 1 - gkind AS g_agency, NULL::varchar AS service_code,
           CASE WHEN gkind = 1 THEN gkey END AS agency_id, median AS median_seconds
    FROM mmed"""

# the live per-application values of the rows above (``a`` is the applications table)
_APPLICATION_COLUMNS = """
    a.service_code, a.agency_id, a.status,
    a.status = ANY(%(a_finished)s) AS finished,
    (a.status = ANY(%(a_finished)s) AND a.due_at IS NOT NULL
     AND COALESCE(a.completed_at, a.decided_at) <= a.due_at) AS met,
    (a.status = ANY(%(a_finished)s) AND a.due_at IS NOT NULL
     AND COALESCE(a.completed_at, a.decided_at) > a.due_at) AS missed,
    (a.status = ANY(%(a_open)s) AND a.due_at < %(a_now)s) AS breached,
    CASE WHEN a.status = ANY(%(a_finished)s) AND COALESCE(a.completed_at, a.decided_at) IS NOT NULL
         THEN EXTRACT(EPOCH FROM (COALESCE(a.completed_at, a.decided_at) - a.submitted_at))::float8
    END AS seconds"""


def application_figures(
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime,
    detail: bool = True,
) -> dict[str, Any]:
    """``live_application_figures`` from the rollups of the fresh past days of the period
    plus a live read of the others (today, days not rolled up, days stale), aggregated in
    SQL. One query: an index probe per past day (fresh?) and an index range read per day
    read live (``app_submitted_updated_idx``). ``detail=False`` (the page) leaves out the
    medians per service (None; the page does not show them) and takes the tenant's and the
    OPDs' from the rollups' cuts (``bucket_median_ctes``: only the buckets holding the
    middle values are sorted); ``detail=True`` (the exports) sorts every duration."""
    today = now.astimezone(ZoneInfo(tz)).date()
    start, end = period.bounds(tz)
    params: dict[str, Any] = {
        "a_day_row": DAY_ROW_STATUS, "a_first": period.start,
        "a_past_last": min(period.end, today - timedelta(days=1)),
        "a_live_start": max(start, Period(today, today).bounds(tz)[0]), "a_end": end,
        "a_now": now, "a_now_us": epoch_micros(now), "a_tz": tz,
        "a_finished": [str(s) for s in FINISHED_STATUSES],
        "a_open": [str(s) for s in OPEN_STATUSES],
    }
    live_agency_filter = rolled_agency_filter = ""
    if agency_ids is not None:
        params["a_agencies"] = list(agency_ids)
        live_agency_filter = "AND a.agency_id = ANY(%(a_agencies)s)"
        rolled_agency_filter = "AND d.agency_id = ANY(%(a_agencies)s)"
    sql = _APPLICATIONS_SQL.format(
        daily=_quoted(DailyFigures), apps=_quoted(Application), columns=_APPLICATION_COLUMNS,
        live_agency_filter=live_agency_filter, rolled_agency_filter=rolled_agency_filter,
        medians=_APPLICATION_MEDIANS if detail else _APPLICATION_BUCKET_MEDIANS.format(
            ctes=bucket_median_ctes("m", FINISH_CUTS, "float8", per_key=True)),
    )
    rows = _dict_rows(sql, params)
    figures = ("received", "finished", "met", "missed", "open", "breached", "median_seconds")
    totals: dict[str, Any] = {}
    by_status, by_service, by_agency = [], [], []
    for row in rows:
        values = {key: row[key] for key in figures}
        if not row["g_status"]:
            if row["status"] is not None:
                by_status.append({"status": row["status"], "n": row["received"]})
        elif not row["g_service"]:
            by_service.append({"service_code": row["service_code"], **_finish_app_row(values)})
        elif not row["g_agency"]:
            by_agency.append({"agency_id": row["agency_id"], **_finish_app_row(values)})
        else:
            totals = _finish_app_row(values)
    return {  # ordered as live_application_figures orders them
        "totals": totals,
        "by_status": sorted(by_status, key=lambda r: (-r["n"], r["status"])),
        "by_service": sorted(by_service, key=lambda r: (-r["received"], r["service_code"])),
        "by_agency": sorted(by_agency, key=lambda r: (-r["received"], r["agency_id"])),
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


# One statement: the rolled-up past days of the period with no ticket changed since their
# rollup (``fresh``: one index probe per day), their rollup rows and the live rows of the
# other days (today, days not rolled up, stale days; hall.selectors.queue_rows_sql) are
# aggregated as ``hall.selectors.queue_figures`` does live: the same counts, means of the same
# sums and counts (numeric division, as avg does) and exact medians of the same waits; the
# hall and per counter from the per-counter rows, per hour from the per-hour rows. A counter
# deleted since the rollup counts as none, as its tickets' ``counter_id`` is then.
_QUEUE_SQL = """
WITH fresh AS (
    SELECT d.day FROM {rollup} d
    WHERE d.hour = %(q_day_row)s AND d.day >= %(q_first)s AND d.day <= %(q_last)s
      AND d.day < %(q_today)s
      AND NOT EXISTS (SELECT 1 FROM {tickets} t
                      WHERE t.day = d.day AND t.updated_at > d.computed_at)
), live_days AS (
    SELECT g::date AS day
    FROM generate_series(%(q_first)s::date, %(q_last)s::date, interval '1 day') AS g
    WHERE g::date NOT IN (SELECT day FROM fresh)
), live AS MATERIALIZED (
    SELECT {columns} FROM ({live}) q
), c AS (
    SELECT k.id AS counter_id, k.name AS counter_name, r.tickets, r.served, r.no_show,
           r.bookings, r.wait_n, r.wait_sum, r.service_n, r.service_sum, r.waits, r.cuts
    FROM (SELECT {columns}, q.wait_cuts AS cuts FROM {rollup} q
          WHERE q.day IN (SELECT day FROM fresh) AND q.hour = %(q_all_hours)s {agency_filter}
          UNION ALL
          SELECT *, NULL::int[] FROM live q WHERE q.hour = %(q_all_hours)s) r
    LEFT JOIN {counters} k ON k.id = r.counter_id
), h AS (
    -- the per-hour rows: their waits are read for the medians per hour only (``detail``)
    SELECT NULLIF(r.hour, %(q_not_called)s) AS hour, r.tickets, r.served, r.no_show,
           r.bookings, r.wait_n, r.wait_sum, r.service_n, r.service_sum, {hour_waits} AS waits
    FROM (SELECT {columns} FROM {rollup} q
          WHERE q.day IN (SELECT day FROM fresh) AND q.counter_id = %(q_all_counters)s
            {agency_filter}
          UNION ALL
          SELECT * FROM live q WHERE q.counter_id = %(q_all_counters)s) r
), counts AS (
    SELECT GROUPING(counter_id) AS g_counter, 1 AS g_hour, counter_id, counter_name,
           NULL::int AS hour, {sums}
    FROM c GROUP BY GROUPING SETS ((), (counter_id, counter_name))
    UNION ALL
    SELECT 1, 0, NULL, NULL, hour, {sums} FROM h GROUP BY hour
), {medians}
)
SELECT c.*, m.median_wait FROM counts c
LEFT JOIN medians m ON m.g_counter = c.g_counter AND m.g_hour = c.g_hour
    AND m.counter_id IS NOT DISTINCT FROM c.counter_id AND m.hour IS NOT DISTINCT FROM c.hour
"""
_QUEUE_SUMS = """COALESCE(sum(tickets), 0) AS tickets, COALESCE(sum(served), 0) AS served,
           COALESCE(sum(no_show), 0) AS no_show, COALESCE(sum(bookings), 0) AS bookings,
           sum(wait_sum)::numeric / NULLIF(sum(wait_n), 0) AS avg_wait,
           sum(service_sum)::numeric / NULLIF(sum(service_n), 0) AS avg_service"""
# the median waits of the hall, per counter and per hour (the exports), sorting every wait
_QUEUE_MEDIANS = """medians AS (
    SELECT GROUPING(counter_id) AS g_counter, 1 AS g_hour, counter_id, NULL::int AS hour,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS median_wait
    FROM c, unnest(c.waits) AS w GROUP BY GROUPING SETS ((), (counter_id))
    UNION ALL
    SELECT 1, 0, NULL, hour, percentile_cont(0.5) WITHIN GROUP (ORDER BY w)
    FROM h, unnest(h.waits) AS w GROUP BY hour"""
# the page's median wait, of the hall, from the rollups' cuts (live rows have none)
_QUEUE_BUCKET_MEDIANS = """qsrc AS NOT MATERIALIZED (
    SELECT 0 AS gkey, waits AS vals, cuts FROM c
), qone AS (
    SELECT 0 AS gkey, NULL::int AS v WHERE FALSE
), {ctes}, medians AS (
    SELECT 1 AS g_counter, 1 AS g_hour, NULL::int AS counter_id, NULL::int AS hour,
           median AS median_wait
    FROM qmed"""


def rolled_queue_figures(
    *, period: Period, tz: str, agency_ids: list[int] | None = None, now: datetime,
    detail: bool = True,
) -> QueueFigures:
    """``hall.selectors.queue_figures`` from the queue rollups of the fresh past days of the
    period and the tickets of the others (docs/adr/0015). One query. ``detail=False``
    leaves out the median waits per counter and per hour (None; the page shows the hall's
    only) and takes the hall's from the rollups' cuts (``bucket_median_ctes``)."""
    live, params = queue_rows_sql(days="day = ANY(ARRAY(SELECT day FROM live_days))", tz=tz,
                                  agency_ids=agency_ids)
    params.update({
        "q_day_row": DAY_ROW_HOUR, "q_not_called": NOT_CALLED, "q_first": period.start,
        "q_last": period.end, "q_today": now.astimezone(ZoneInfo(tz)).date(),
        "q_all_hours": ALL_HOURS, "q_all_counters": ALL_COUNTERS,
    })
    agency_filter = ""
    if agency_ids is not None:
        agency_filter, params["q_agencies"] = "AND q.agency_id = ANY(%(q_agencies)s)", list(
            agency_ids)
    sql = _QUEUE_SQL.format(
        rollup=_quoted(QueueDailyFigures), tickets=ticket_table(), counters=counter_table(),
        columns=", ".join(f"q.{column}" for column in QUEUE_ROW_COLUMNS), live=live,
        agency_filter=agency_filter, sums=_QUEUE_SUMS,
        medians=_QUEUE_MEDIANS if detail else _QUEUE_BUCKET_MEDIANS.format(
            ctes=bucket_median_ctes("q", WAIT_CUTS, "int", per_key=False)),
        hour_waits="r.waits" if detail else "NULL::int[]",
    )
    rows = _dict_rows(sql, params)
    return queue_figures_from_rows(rows)


def _queue(board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None,
           now: datetime, use_rollups: bool, detail: bool) -> None:
    if use_rollups:
        figures = rolled_queue_figures(period=period, tz=tz, agency_ids=agency_ids,
                                       now=now, detail=detail)  # 1 query
    else:
        figures = queue_figures(start=period.start, end=period.end, tz=tz,
                                agency_ids=agency_ids)  # 1 query

    def finish(row: dict[str, Any]) -> dict[str, Any]:
        for key in ("avg_wait", "median_wait", "avg_service"):
            row[f"{key}_minutes"] = _minutes(row.pop(key))
        return row

    board.queue_totals = finish(dict(figures.totals))
    board.queue_by_counter = [finish(dict(row)) for row in figures.by_counter]
    board.queue_by_hour = [finish(dict(row)) for row in figures.by_hour]


# the SKM days of the period rolled up after they ended (final, see SkmDailyFigures); the
# others (today, days not rolled up or rolled up too early) are summed from the responses
_IKM_SQL = """WITH fresh AS MATERIALIZED (
    SELECT day FROM {rollup}
    WHERE agency_id = %(k_day_row)s AND day >= %(k_first)s AND day <= %(k_last)s
      AND computed_at >= (day + 1)::timestamp AT TIME ZONE %(k_tz)s
), spans AS MATERIALIZED (
    SELECT * FROM ({spans}) g WHERE day NOT IN (SELECT day FROM fresh)
), r AS (
    SELECT service_code, agency_id, {columns} FROM {rollup}
    WHERE day IN (SELECT day FROM fresh) AND agency_id <> %(k_day_row)s {rolled_agency_filter}
    UNION ALL
    SELECT service_code, agency_id, {columns} FROM ({live}) l
)
SELECT GROUPING(service_code) AS g_service, GROUPING(agency_id) AS g_agency,
       service_code, agency_id, {sums}
FROM r GROUP BY GROUPING SETS ((), (service_code), (agency_id))"""


def rolled_ikm_breakdown(
    *, period: Period, tz: str, agency_ids: list[int] | None = None,
) -> IkmBreakdown:
    """``feedback.selectors.ikm_breakdown`` from the SKM rollups of the period's finished
    days and the responses of the others, summed in SQL (the sums and counts of PermenPANRB
    14/2017 add up, so the result is the same). One query; no freshness probe: a day rolled
    up after it ended is final (``SkmDailyFigures``)."""
    params: dict[str, Any] = {"k_day_row": DAY_ROW_AGENCY, "k_first": period.start,
                              "k_last": period.end, "k_tz": tz}
    live_agency_filter = rolled_agency_filter = ""
    if agency_ids is not None:
        params["k_agencies"] = list(agency_ids)
        live_agency_filter = "AND s.agency_id = ANY(%(k_agencies)s)"
        rolled_agency_filter = "AND agency_id = ANY(%(k_agencies)s)"
    sql = _IKM_SQL.format(
        rollup=_quoted(SkmDailyFigures), columns=", ".join(SKM_SUM_COLUMNS),
        spans=DAY_SPANS_SQL.format(tz="%(k_tz)s", first="%(k_first)s", last="%(k_last)s"),
        live=skm_rows_sql(spans="spans", agency_filter=live_agency_filter),
        rolled_agency_filter=rolled_agency_filter,
        sums=", ".join(f"COALESCE(sum({c}), 0)::bigint AS {c}" for c in SKM_SUM_COLUMNS),
    )
    rows = _dict_rows(sql, params)
    return ikm_breakdown_from_groups(rows)


def _ikm(
    board: Dashboard, period: Period, tz: str, agency_ids: list[int] | None,
    names: dict[int, str], use_rollups: bool,
) -> None:
    if use_rollups:
        ikm = rolled_ikm_breakdown(period=period, tz=tz, agency_ids=agency_ids)  # 1 query
    else:
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
    _ikm(shadow, period, tz, None, names, use_rollups=True)  # 1
    result.ikm, result.ikm_by_agency = shadow.ikm, shadow.ikm_by_agency
    result.ikm_by_service = shadow.ikm_by_service
    result.sla = _finish_app_row(  # 1
        _applications(period, tz, None).aggregate(**_app_aggregates(now))
    )
    _complaints(shadow, period, tz, None, now)  # 1
    result.complaints = shadow.complaints
    return result
