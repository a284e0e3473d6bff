"""Reads of the ministry console and API: rollups only, a constant number of queries.

`tenant_rows()` returns every registered tenant (all 514 rows are small) with this month's
figures, computed in four queries whatever the tenant count: tenants, month sums, latest
snapshots and latest sweep outcome; `attach_trends()` adds the weekly trend in one more.
Filtering, sorting, ranking and the province/national aggregates are done in Python on those
rows. `console_snapshot()` keeps all of that per process until the rollups, the sweep log or
the tenant list change (one fingerprint query per request, ADR 0016).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from .figures import compliance_pct
from .models import FiguresVersion, MetricGroup, TenantDailyRollup, TenantSweepResult

TREND_WEEKS = 12
SNAPSHOT_LOOKBACK_DAYS = 7

# Compliance bands (SLA compliance % this month).
BANDS = {
    "good": (_("Baik (≥ 95 %)"), Decimal(95), None),
    "fair": (_("Cukup (80–95 %)"), Decimal(80), Decimal(95)),
    "poor": (_("Kurang (< 80 %)"), None, Decimal(80)),
    "none": (_("Belum ada data"), None, None),
}

SORT_KEYS = {
    "name": lambda r: (r.name.lower(),),
    "province": lambda r: (r.province_name.lower(), r.name.lower()),
    "state": lambda r: (r.state, r.name.lower()),
    "onboarding": lambda r: (r.onboarding_pct, r.name.lower()),
    "services": lambda r: (r.live_services, r.name.lower()),
    "applications": lambda r: (r.applications_month, r.name.lower()),
    "compliance": lambda r: (
        r.compliance_pct is None, r.compliance_pct or Decimal(0), r.name.lower()
    ),
    "breaches": lambda r: (r.breaches_month, r.name.lower()),
    "region_code": lambda r: (r.region_code,),
}


@dataclass
class TenantRow:
    id: int
    region_code: str
    name: str
    kind: str
    slug: str
    province_code: str
    province_name: str
    state: str
    state_label: str
    is_ready: bool
    onboarding_pct: float = 0.0
    live_services: int = 0
    applications_month: int = 0
    decided_month: int = 0
    completed_month: int = 0
    met_month: int = 0
    missed_month: int = 0
    breaches_month: int = 0
    open_now: int = 0
    at_risk_now: int = 0
    breached_now: int = 0
    snapshot_day: date | None = None
    sweep_status: str = ""
    sweep_error: str = ""
    trend: list[float | None] = field(default_factory=list)

    # Read many times per request (sorting, banding, ranking) and the month figures are set
    # once when the row is built, so both are computed once.
    @cached_property
    def compliance_pct(self) -> Decimal | None:
        return compliance_pct(self.met_month, self.missed_month)

    @cached_property
    def band(self) -> str:
        pct = self.compliance_pct
        if pct is None:
            return "none"
        if pct >= BANDS["good"][1]:
            return "good"
        if pct >= BANDS["fair"][1]:
            return "fair"
        return "poor"

    @property
    def sweep_failed(self) -> bool:
        return self.sweep_status == TenantSweepResult.Status.FAILED


@dataclass
class Aggregate:
    key: str
    name: str
    tenants: int = 0
    live: int = 0
    onboarding: int = 0
    applications_month: int = 0
    met_month: int = 0
    missed_month: int = 0
    breaches_month: int = 0
    breached_now: int = 0
    sweep_failures: int = 0

    @property
    def compliance_pct(self) -> Decimal | None:
        return compliance_pct(self.met_month, self.missed_month)

    def add(self, row: TenantRow) -> None:
        self.tenants += 1
        self.live += row.state == "live"
        self.onboarding += row.state == "onboarding"
        self.applications_month += row.applications_month
        self.met_month += row.met_month
        self.missed_month += row.missed_month
        self.breaches_month += row.breaches_month
        self.breached_now += row.breached_now
        self.sweep_failures += row.sweep_failed


@dataclass
class ConsoleFilters:
    q: str = ""
    province: str = ""
    state: str = ""
    band: str = ""
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_query(cls, params: Any) -> ConsoleFilters:
        sort = str(params.get("sort") or "name")
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        return cls(
            q=str(params.get("q") or "").strip()[:100],
            province=str(params.get("province") or "").strip()[:2],
            state=str(params.get("state") or "").strip()[:16],
            band=str(params.get("band") or "").strip()[:8],
            sort=sort if sort in SORT_KEYS else "name",
            descending=descending,
        )

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort


def month_start(today: date) -> date:
    return today.replace(day=1)


def _province_names() -> dict[str, str]:
    from regions import reference

    return {p.code: p.name for p in reference.provinces()}


def tenant_rows(*, today: date | None = None) -> list[TenantRow]:
    """Every registered tenant with this month's figures (four queries)."""
    from tenants.models import Tenant

    today = today or timezone.localdate()
    first = month_start(today)
    provinces = _province_names()
    with schema_context("public"):
        tenants = list(
            Tenant.objects.exclude(schema_name="public").values_list(
                "id", "region_code", "name", "kind", "slug", "province_code", "state", "is_ready"
            )
        )
        month = {
            item["tenant_id"]: item
            for item in TenantDailyRollup.objects.filter(
                metric_group=MetricGroup.APPLICATIONS, day__gte=first, day__lte=today + timedelta(1)
            ).values("tenant_id").annotate(
                received_sum=Sum("received"), decided_sum=Sum("decided"),
                completed_sum=Sum("completed"), met_sum=Sum("met"), missed_sum=Sum("missed"),
                breaches_sum=Sum("new_breaches"),
            ).order_by()
        }
        snapshots = list(
            TenantDailyRollup.objects.filter(
                metric_group__in=[MetricGroup.APPLICATIONS, MetricGroup.ONBOARDING],
                day__gte=today - timedelta(days=SNAPSHOT_LOOKBACK_DAYS),
            )
            .order_by("tenant_id", "metric_group", "-day")
            .distinct("tenant_id", "metric_group")
            .values_list(
                "tenant_id", "metric_group", "day", "open", "at_risk", "breached",
                KT("metrics__live_services"), KT("metrics__progress_pct"),
            )
        )
        sweeps = dict(
            (tid, (status, error))
            for tid, status, error in TenantSweepResult.objects.exclude(
                status=TenantSweepResult.Status.PENDING
            )
            .order_by("tenant_id", "-id")
            .distinct("tenant_id")
            .values_list("tenant_id", "status", "error")
        )
    state_labels = dict(Tenant.State.choices)
    rows: dict[int, TenantRow] = {}
    for tid, code, name, kind, slug, province, state, is_ready in tenants:
        agg = month.get(tid, {})
        status, error = sweeps.get(tid, ("", ""))
        rows[tid] = TenantRow(
            id=tid, region_code=code or "", name=name, kind=kind, slug=slug,
            province_code=province or "", province_name=provinces.get(province or "", ""),
            state=state, state_label=str(state_labels.get(state, state)), is_ready=is_ready,
            applications_month=agg.get("received_sum") or 0,
            decided_month=agg.get("decided_sum") or 0,
            completed_month=agg.get("completed_sum") or 0,
            met_month=agg.get("met_sum") or 0, missed_month=agg.get("missed_sum") or 0,
            breaches_month=agg.get("breaches_sum") or 0,
            sweep_status=status, sweep_error=(error or "")[:300],
            onboarding_pct=100.0 if state == "live" else 0.0,
        )
    for tid, group, day, open_now, at_risk, breached, live, progress in snapshots:
        row = rows.get(tid)
        if row is None:
            continue
        if group == MetricGroup.APPLICATIONS:
            row.open_now, row.at_risk_now, row.breached_now = open_now or 0, at_risk or 0, breached or 0
            row.live_services = int(live or 0)
            row.snapshot_day = day
        elif progress is not None:
            row.onboarding_pct = float(progress)
    return list(rows.values())


def filter_rows(rows: Iterable[TenantRow], filters: ConsoleFilters) -> list[TenantRow]:
    q = filters.q.lower()
    result = []
    for row in rows:
        if filters.province and row.province_code != filters.province:
            continue
        if filters.state and row.state != filters.state:
            continue
        if filters.band and row.band != filters.band:
            continue
        if q and q not in row.name.lower() and not row.region_code.startswith(q) \
                and q not in row.province_name.lower():
            continue
        result.append(row)
    result.sort(key=SORT_KEYS[filters.sort], reverse=filters.descending)
    return result


def attach_trends(rows: Sequence[TenantRow], *, today: date | None = None) -> None:
    """Weekly SLA compliance of the last TREND_WEEKS weeks for these rows (one query)."""
    if not rows:
        return
    today = today or timezone.localdate()
    this_week = today - timedelta(days=today.weekday())
    first_week = this_week - timedelta(weeks=TREND_WEEKS - 1)
    weeks: dict[int, dict[date, list[int]]] = defaultdict(dict)
    with schema_context("public"):
        # summed per ISO week (Monday, as `this_week` above) in SQL: ≈ 12 rows per tenant
        # instead of ≈ 84 days each merged in Python
        for tid, week, met, missed in TenantDailyRollup.objects.filter(
            metric_group=MetricGroup.APPLICATIONS, tenant_id__in=[r.id for r in rows],
            day__gte=first_week,
        ).filter(Q(met__gt=0) | Q(missed__gt=0)).annotate(week=TruncWeek("day")).values(
            "tenant_id", "week").annotate(
            week_met=Coalesce(Sum("met"), 0), week_missed=Coalesce(Sum("missed"), 0),
        ).order_by().values_list("tenant_id", "week", "week_met", "week_missed"):
            weeks[tid][week] = [met, missed]
    for row in rows:
        series = []
        for i in range(TREND_WEEKS):
            bucket = weeks[row.id].get(first_week + timedelta(weeks=i))
            pct = compliance_pct(*bucket) if bucket else None
            series.append(float(pct) if pct is not None else None)
        row.trend = series


def aggregates(rows: Iterable[TenantRow]) -> tuple[Aggregate, list[Aggregate]]:
    """National total and one aggregate per province (ordered by province code)."""
    provinces = _province_names()
    national = Aggregate(key="", name=str(_("Nasional")))
    by_province: dict[str, Aggregate] = {}
    for row in rows:
        national.add(row)
        code = row.province_code
        if code not in by_province:
            by_province[code] = Aggregate(key=code, name=provinces.get(code, code or "-"))
        by_province[code].add(row)
    return national, [by_province[k] for k in sorted(by_province)]


def ranking(rows: Iterable[TenantRow], *, size: int = 10) -> tuple[list[TenantRow], list[TenantRow]]:
    """(best, worst) tenants by SLA compliance this month, among tenants with decisions."""
    ranked = sorted(
        (r for r in rows if r.compliance_pct is not None),
        key=lambda r: (-(r.compliance_pct or 0), -(r.met_month + r.missed_month), r.name),
    )
    worst = sorted(ranked[-size:], key=lambda r: (r.compliance_pct or 0, r.name)) if ranked else []
    return ranked[:size], worst


# --- the console's figures, kept per process -------------------------------------------------


@dataclass
class ConsoleSnapshot:
    """What the console shows whatever the filters: every tenant row, the national and province
    aggregates and the ranking. Shared by the requests of one process (and their threads):
    read it, never change it, except through `snapshot_trends` (which fills a row's weekly
    trend the first time a page shows it; the same value whichever thread does). `memo` holds
    what views derive from it once (rendered rows, the province chart)."""

    today: date
    rows: list[TenantRow]
    national: Aggregate
    provinces: list[Aggregate]
    best: list[TenantRow]
    worst: list[TenantRow]
    memo: dict[Any, Any] = field(default_factory=dict)

    def memoised(self, key: Any, build: Any) -> Any:
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]


# Moves whenever a row the console reads changes: the monitoring services raise the figures'
# version with every rollup or sweep-outcome write, in the same transaction; any change to a
# tenant row (state, name, …) gives it a new row version (`xmin`, so their sum moves), and a
# removal changes the count. The highest rollup id catches rows written by other means. One
# row, one index lookup and 514 small rows (ADR 0016).
_FINGERPRINT_SQL = """
SELECT (SELECT value FROM {version} WHERE id = 1), (SELECT max(id) FROM {rollup}),
       sum(xmin::text::bigint), count(*)
FROM {tenant}
"""

_snapshots: dict[tuple[Any, ...], ConsoleSnapshot] = {}
_snapshots_lock = threading.Lock()


def _fingerprint() -> tuple[Any, ...]:
    from tenants.models import Tenant

    quote = connection.ops.quote_name
    sql = _FINGERPRINT_SQL.format(
        version=quote(FiguresVersion._meta.db_table),
        rollup=quote(TenantDailyRollup._meta.db_table), tenant=quote(Tenant._meta.db_table),
    )
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def console_snapshot(*, today: date | None = None) -> ConsoleSnapshot:
    """The console's figures for `today`, rebuilt only when the data under them has changed
    (one query when nothing has; that and the four of `tenant_rows` when it has).

    Keyed by database, language (state labels and names are translated) and day; a process
    keeps only the latest fingerprint's snapshots. Tenants whose data changes in the middle
    of a request are seen at the next one."""
    today = today or timezone.localdate()
    fingerprint = _fingerprint()
    key = (connection.settings_dict["NAME"], translation.get_language(), today, fingerprint)
    snapshot = _snapshots.get(key)
    if snapshot is not None:
        return snapshot
    rows = tenant_rows(today=today)
    national, provinces = aggregates(rows)
    best, worst = ranking(rows)
    snapshot = ConsoleSnapshot(today, rows, national, provinces, best, worst)
    with _snapshots_lock:
        for stale in [k for k in _snapshots if k[3] != fingerprint or k[2] != today]:
            del _snapshots[stale]
        _snapshots[key] = snapshot
    return snapshot


def snapshot_trends(snapshot: ConsoleSnapshot, rows: Sequence[TenantRow]) -> None:
    """Fill the weekly trend of those of `rows` (from `snapshot`) that have none yet: one query
    for a page's rows, none once they are known. All 514 at once would cost more than the rest
    of the snapshot together."""
    attach_trends([row for row in rows if not row.trend], today=snapshot.today)


def console_snapshot_clear() -> None:
    """Forget every kept snapshot (tests; the fingerprint makes it unnecessary otherwise)."""
    with _snapshots_lock:
        _snapshots.clear()


# --- drill-down ------------------------------------------------------------------------------


@dataclass
class TenantDetail:
    row: TenantRow
    services: dict[str, Any]
    breaches: dict[str, Any]
    breaches_day: date | None
    daily: list[dict[str, Any]]
    by_category: dict[str, dict[str, int]]
    sweeps: list[TenantSweepResult]


def tenant_detail(*, region_code: str, today: date | None = None, days: int = 30) -> TenantDetail:
    """One tenant's rollups for the drill-down page; 404 for an unknown region code."""
    from tenants.models import Tenant

    today = today or timezone.localdate()
    with schema_context("public"):
        tenant = (
            Tenant.objects.exclude(schema_name="public").filter(region_code=region_code).first()
        )
        if tenant is None:
            raise Http404
        latest = {
            group: (day, metrics)
            for group, day, metrics in TenantDailyRollup.objects.filter(
                tenant=tenant, metric_group__in=[MetricGroup.SERVICES, MetricGroup.BREACHES],
            ).order_by("metric_group", "-day").distinct("metric_group")
            .values_list("metric_group", "day", "metrics")
        }
        daily = list(
            TenantDailyRollup.objects.filter(
                tenant=tenant, metric_group=MetricGroup.APPLICATIONS,
                day__gt=today - timedelta(days=days),
            ).order_by("day").values(
                "day", "received", "decided", "completed", "met", "missed", "new_breaches",
                "open", "at_risk", "breached", "sla_compliance_pct", "median_processing_hours",
                by_category=F("metrics__by_category"),
            )
        )
        sweeps = list(TenantSweepResult.objects.filter(tenant=tenant).order_by("-id")[:5])
    snapshot = console_snapshot(today=today)
    row = next(r for r in snapshot.rows if r.id == tenant.pk)
    snapshot_trends(snapshot, [row])
    first = month_start(today)
    by_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in daily:
        if item["day"] < first:
            continue
        for code, figures in (item.get("by_category") or {}).items():
            for key in ("received", "decided", "completed", "met", "missed", "new_breaches"):
                by_category[code][key] += int(figures.get(key) or 0)
    return TenantDetail(
        row=row,
        services=latest.get(MetricGroup.SERVICES, (None, {}))[1] or {},
        breaches=latest.get(MetricGroup.BREACHES, (None, {}))[1] or {},
        breaches_day=latest.get(MetricGroup.BREACHES, (None, {}))[0],
        daily=daily,
        by_category={k: dict(v) for k, v in sorted(by_category.items())},
        sweeps=sweeps,
    )


# --- accountability per OPD kind and workflow step (issue 13) ---------------------------------

STEP_WORST_TENANTS = 10

_KIND_MONTH_SQL = """
SELECT k.key,
       sum((k.value->>'finished')::int), sum((k.value->>'met')::int),
       sum((k.value->>'missed')::int), sum((k.value->>'new_breaches')::int),
       sum((k.value->>'hours_x_n')::float), count(DISTINCT r.tenant_id)
FROM {rollup} r CROSS JOIN LATERAL jsonb_each(r.metrics->'by_kind') k
WHERE r.metric_group = %(group)s AND r.day >= %(first)s AND r.day <= %(last)s
  {tenant_filter}
GROUP BY k.key
"""

_KIND_OPEN_SQL = """
SELECT k.key, sum((k.value->>'open_breached')::int),
       count(*) FILTER (WHERE (k.value->>'open_breached')::int > 0)
FROM (SELECT DISTINCT ON (tenant_id) tenant_id, metrics FROM {rollup}
      WHERE metric_group = %(group)s AND day >= %(since)s {tenant_filter}
      ORDER BY tenant_id, day DESC) r
CROSS JOIN LATERAL jsonb_each(r.metrics->'by_kind') k
GROUP BY k.key
"""

_WORST_SQL = """
SELECT r.tenant_id, k.key, sum((k.value->>'missed')::int + (k.value->>'new_breaches')::int) AS n
FROM {rollup} r CROSS JOIN LATERAL jsonb_each(r.metrics->'by_kind') k
WHERE r.metric_group = %(group)s AND r.day >= %(first)s AND r.day <= %(last)s
GROUP BY 1, 2 HAVING sum((k.value->>'missed')::int + (k.value->>'new_breaches')::int) > 0
ORDER BY n DESC, 1, 2
LIMIT %(limit)s
"""


@dataclass
class KindFigures:
    kind: str
    finished: int = 0
    met: int = 0
    missed: int = 0
    new_breaches: int = 0
    open_breached: int = 0
    tenants: int = 0
    tenants_with_open_breaches: int = 0
    mean_median_hours: float | None = None
    label: str = ""  # the kind's name, set by the view

    @property
    def compliance_pct(self) -> Decimal | None:
        return compliance_pct(self.met, self.missed)


@dataclass
class StepAccountability:
    month_start: date
    by_kind: list[KindFigures]
    worst: list[dict[str, Any]]


def step_accountability(
    *, today: date | None = None, tenant_id: int | None = None
) -> StepAccountability:
    """This month's workflow steps per OPD kind across the fleet (or one tenant): steps
    finished, on time, late, step deadlines passed, open steps past their deadline now (latest
    snapshot per tenant), and the tenants/kinds with the most step breaches. Three queries on
    the "steps" rollups; a breach counts against the kind of OPD that held the file."""
    from tenants.models import Tenant

    today = today or timezone.localdate()
    first = month_start(today)
    rollup = connection.ops.quote_name(TenantDailyRollup._meta.db_table)
    params: dict[str, Any] = {
        "group": MetricGroup.STEPS, "first": first, "last": today + timedelta(days=1),
        "since": today - timedelta(days=SNAPSHOT_LOOKBACK_DAYS), "limit": STEP_WORST_TENANTS,
        "tenant": tenant_id,
    }
    tenant_filter = "AND tenant_id = %(tenant)s" if tenant_id is not None else ""
    figures: dict[str, KindFigures] = {}
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(_KIND_MONTH_SQL.format(
            rollup=rollup, tenant_filter=tenant_filter.replace("tenant_id", "r.tenant_id")
        ), params)
        for kind, finished, met, missed, new, hours_x_n, tenants in cursor.fetchall():
            item = figures.setdefault(kind, KindFigures(kind=kind))
            item.finished, item.met, item.missed = int(finished or 0), int(met or 0), int(missed or 0)
            item.new_breaches, item.tenants = int(new or 0), int(tenants or 0)
            if item.finished and hours_x_n is not None:
                item.mean_median_hours = round(float(hours_x_n) / item.finished, 1)
        cursor.execute(_KIND_OPEN_SQL.format(rollup=rollup, tenant_filter=tenant_filter), params)
        for kind, open_breached, with_open in cursor.fetchall():
            item = figures.setdefault(kind, KindFigures(kind=kind))
            item.open_breached = int(open_breached or 0)
            item.tenants_with_open_breaches = int(with_open or 0)
        worst: list[dict[str, Any]] = []
        if tenant_id is None:
            cursor.execute(_WORST_SQL.format(rollup=rollup), params)
            worst_rows = cursor.fetchall()
            known = {
                pk: (code, name) for pk, code, name in Tenant.objects.filter(
                    pk__in=[r[0] for r in worst_rows]
                ).values_list("pk", "region_code", "name")
            } if worst_rows else {}
            worst = [
                {"tenant_id": tid, "region_code": known.get(tid, ("", ""))[0],
                 "name": known.get(tid, ("", ""))[1], "kind": kind, "breaches": int(n)}
                for tid, kind, n in worst_rows
            ]
    ordered = sorted(
        figures.values(), key=lambda f: (-(f.missed + f.open_breached), f.kind)
    )
    return StepAccountability(month_start=first, by_kind=ordered, worst=worst)
