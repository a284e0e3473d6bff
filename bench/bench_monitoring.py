"""Benchmarks of the monitoring app and the SLA sweep (`make bench BENCH_ARGS="monitoring"`).

ministry_dashboard_p95_ms
    Every kab/kota of the national list registered as a tenant row (514, via
    `tenants.services.tenant_register`: rows only, no schema — the console lists every
    registered tenant whatever its state; `bench_fleet` can still provision them later),
    365 days of "applications" rollups per tenant (187,610 rows) plus today's onboarding row,
    then ~50 GETs of the console's main page (default sort, then sorted by compliance and
    filtered by province) through the Django test Client as a ministry user. Server time,
    p95, and the query count per request (must not depend on the tenant count).
    The console's figures are kept per process until the data under them changes (ADR 0016),
    so the timed requests are the steady state; `after_change_*_ms` are the same requests
    each made right after a change (the snapshot rebuilt). MPP_BENCH_CONSOLE_ONLY=1 runs only
    this figure.

sla_sweep_seconds / sla_sweep_fixed_seconds
    One full sweep (breach + at-risk + escalation + step deadlines + rollup upsert per tenant,
    i.e. what `monitoring.tasks.sla_sweep_tenant` does) over the READY tenants of the bench database,
    each holding MPP_BENCH_SWEEP_APPS (2,000) open applications, each with its open workflow
    step row (`ApplicationStep`, the implicit single step, with its own due_at), of which 1 %
    cross a threshold (applications: half breach, half turn at-risk; steps: 1 % pass their
    own deadline, half of them on applications that breach too); and the same with 0 %
    crossing (the fixed cost per tenant). Runs in this one process, tenant after tenant (a
    worker with 2 processes would take about half). MPP_BENCH_SWEEP_TENANTS tenants (default
    514, the whole national fleet, as issues 13 and 14 require) are swept; missing ones are
    provisioned first, in bulk through `bench.fleet.ensure_fleet` (2 processes) when many are
    missing. A smaller value gives a quick run and the linear extrapolation to 514. Each bench
    agency has one head and one officer, so every breach writes one notification row, every
    at-risk one and every step breach two (the head and the step's officer); the hand-off of
    those rows to the broker (on commit) is stubbed out and not measured. The seeding and the
    resets between the two figures (setup, `prepare_seconds`) run in
    MPP_BENCH_PREPARE_PROCESSES (2) forked processes, tenants in chunks of 16.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

DAYS = 365
REQUESTS = 50
SWEEP_APPS = int(os.environ.get("MPP_BENCH_SWEEP_APPS", "2000"))
SWEEP_TENANTS = int(os.environ.get("MPP_BENCH_SWEEP_TENANTS", "514"))
# processes that seed and reset the sweep's tenants (setup only; the sweep itself is timed in one)
PREPARE_PROCESSES = int(os.environ.get("MPP_BENCH_PREPARE_PROCESSES", "2"))
BULK_PROVISION_FROM = 20  # missing tenants from which the fleet is provisioned in bulk
BENCH_SERVICE = "BENCH-SLA"
STEP_CODE, STEP_NAME = "proses", "Proses permohonan"  # catalog.workflow.single_step_workflow


CONSOLE_ONLY = os.environ.get("MPP_BENCH_CONSOLE_ONLY") == "1"  # skip the sweep figures


def run():
    yield from _dashboard()
    if not CONSOLE_ONLY:
        yield from _sweep()


# --- dashboard ------------------------------------------------------------------------------


def _register_fleet() -> list:
    from django_tenants.utils import schema_context

    from regions import reference
    from tenants.models import Tenant
    from tenants.services import tenant_register

    with schema_context("public"):
        present = set(Tenant.objects.values_list("region_code", flat=True))
        for regency in reference.regencies():
            if regency.code not in present:
                tenant_register(region_code=regency.code)
        return list(Tenant.objects.exclude(schema_name="public"))


def _ensure_rollups(tenants: list) -> int:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from monitoring.models import MetricGroup, TenantDailyRollup

    today = timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    with schema_context("public"):
        have = TenantDailyRollup.objects.filter(
            metric_group=MetricGroup.APPLICATIONS, day__gte=first, day__lte=today,
            tenant__in=tenants,
        ).count()
        if have >= len(tenants) * DAYS:
            return 0
        rng = random.Random(514)
        now = timezone.now()

        def rows():  # the same generator as ever, written by COPY instead of model objects
            for tenant in tenants:
                quality = rng.uniform(0.6, 1.0)
                for offset in range(DAYS):
                    received = rng.randint(0, 60)
                    decided = rng.randint(0, received)
                    met = round(decided * min(1.0, rng.gauss(quality, 0.05)))
                    met = max(0, min(decided, met))
                    missed = decided - met
                    pct = (Decimal(met * 100) / Decimal(decided)).quantize(Decimal("0.01")) \
                        if decided else None
                    figures = {"received": received, "decided": decided, "completed": decided,
                               "met": met, "missed": missed, "new_breaches": missed}
                    metrics = {**figures, "open": 40, "at_risk": 3, "breached": missed,
                               "live_services": 12, "synthetic": True,
                               "by_category": {"ADM": figures, "IZN": figures, "NON": figures}}
                    yield (tenant.pk, today - timedelta(days=offset), MetricGroup.APPLICATIONS,
                           now, metrics, 40, 3, missed, pct, Decimal("30.5"),
                           *figures.values())
                yield (tenant.pk, today, MetricGroup.ONBOARDING, now,
                       {"progress_pct": round(rng.uniform(0, 100), 1), "state": tenant.state},
                       *[None] * 11)

        from bench.seeding import copy_rows

        figure_columns = ["received", "decided", "completed", "met", "missed", "new_breaches"]
        columns = ["tenant_id", "day", "metric_group", "computed_at", "metrics", "open",
                   "at_risk", "breached", "sla_compliance_pct", "median_processing_hours",
                   *figure_columns]
        return copy_rows(TenantDailyRollup, columns, rows(),
                         conflict=["tenant_id", "metric_group", "day"], update=columns[3:])


def _dashboard():
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from accounts.models import User
    from bench.sqltime import PageTimer

    started = time.perf_counter()
    tenants = _register_fleet()
    inserted = _ensure_rollups(tenants)
    setup_seconds = time.perf_counter() - started
    with schema_context("public"):
        user = User.objects.filter(email="bench-kementerian@menpan.go.id").first() or \
            User.objects.create_user(email="bench-kementerian@menpan.go.id",
                                     password=None, full_name="Bench Kementerian",
                                     ministry_role="viewer")
    client = Client(HTTP_HOST=settings.MPP_BASE_DOMAIN)
    client.force_login(user)
    urls = ["/kementerian/", "/kementerian/?sort=-compliance", "/kementerian/?province=32",
            "/kementerian/?band=poor&page=2"]
    assert client.get(urls[0]).status_code == 200  # warm-up (caches, session binding)
    timings: list[float] = []
    queries: set[int] = set()
    for i in range(REQUESTS):
        url = urls[i % len(urls)]
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(ctx.captured_queries))
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    # The same requests right after the figures changed (a rollup upsert, a sweep outcome):
    # the process's snapshot is rebuilt, as on the first request after each sweep.
    from monitoring.selectors import console_snapshot_clear

    cold: list[float] = []
    for i in range(len(urls) * 3):
        console_snapshot_clear()
        t0 = time.perf_counter()
        client.get(urls[i % len(urls)])
        cold.append((time.perf_counter() - t0) * 1000)
    with PageTimer() as page:  # where the time goes, in a separate instrumented pass
        for i in range(20):
            client.get(urls[i % len(urls)])
    yield {
        "name": "ministry_dashboard_p95_ms", "value": round(p95, 1), "unit": "ms",
        "conditions": {
            "tenants": len(tenants), "rollup_days": DAYS,
            "rollup_rows": len(tenants) * DAYS, "requests": REQUESTS,
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "after_change_median_ms": round(statistics.median(cold), 1),
            "after_change_max_ms": round(max(cold), 1),
            "queries_per_request": sorted(queries), "target_ms": 50,
            "where_the_time_goes": page.shares(),
            "client": "django.test.Client (server time, no network)",
            "urls": urls, "setup_seconds": round(setup_seconds, 1),
            "rows_inserted_now": inserted,
        },
    }


# --- sweep ----------------------------------------------------------------------------------


def _sweep_tenants() -> list:
    from tenants.models import Tenant
    from tenants.selectors import portal_open_tenants
    from tenants.services import tenant_create_ready, tenant_set_state

    ready = portal_open_tenants()
    from bench.fleet import FLEET_SIZE

    if SWEEP_TENANTS >= FLEET_SIZE and SWEEP_TENANTS - len(ready) >= BULK_PROVISION_FROM:
        from bench.fleet import ensure_fleet

        ensure_fleet(processes=2)  # the national fleet, 2 processes (python -m bench.fleet)
        ready = portal_open_tenants()
    if len(ready) < SWEEP_TENANTS:
        from bench.fleet import national_codes

        have = {t.region_code for t in ready}
        for code in national_codes():
            if len(ready) >= SWEEP_TENANTS:
                break
            if code in have:
                continue
            tenant = tenant_create_ready(region_code=code)
            if tenant.state != Tenant.State.LIVE:
                tenant = tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
            ready.append(tenant)
    return ready[:SWEEP_TENANTS]


def _prepare_tenant(tenant, *, crossing: float, rng: random.Random) -> None:
    """2,000 open applications on a bench offering, each with its open step row; `crossing`
    of them past a threshold now (see the module docstring)."""
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from agencies.models import Agency
    from applications.models import Application, ApplicationEvent, ApplicationStep, Notification
    from bench.seeding import clone_rows
    from services.models import Offering

    now = timezone.now()
    with tenant_context(tenant):
        offering = Offering.objects.filter(service_code=BENCH_SERVICE).first()
        if offering is None:
            from services.services import offering_adopt

            agency = Agency.objects.filter(code="bench-opd").first() or \
                Agency.objects.create(code="bench-opd", name="OPD Bench", short_name="BENCH")
            offering = offering_adopt(service_version=_bench_version(), agency=agency,
                                      channel="online", actor=None)
        head, officer = _bench_staff()
        from agencies.models import StaffRole

        for user, role in ((head, StaffRole.Role.AGENCY_HEAD), (officer, StaffRole.Role.OFFICER)):
            StaffRole.objects.get_or_create(user_id=user.pk, agency_id=offering.agency_id,
                                            role=role)
        count = Application.objects.filter(offering=offering).count()
        params = {"now": now, "offering": offering.pk, "step": STEP_CODE}
        if count < SWEEP_APPS:
            # one row through the ORM (every column as the model fills it), then the rest
            # copied from it in one INSERT … SELECT, each with its own deadlines (PRISTINE)
            template = Application.objects.bulk_create([Application(
                tracking_code=f"BENCH-{tenant.pk}-{count:06d}", offering=offering,
                service_code=BENCH_SERVICE, service_version_id=offering.service_version_id,
                agency_id=offering.agency_id, applicant_id=officer.pk, status="in_process",
                assigned_to_id=officer.pk, current_step=STEP_CODE,
                involved_agencies=[offering.agency_id],
                submitted_at=now - timedelta(days=3), clock_started_at=now - timedelta(days=3),
                due_at=now + timedelta(days=3), at_risk_at=now + timedelta(hours=13),
                sla_state="on_track", sla_reasons=["+1 hari: bench"],
            )])[0]
            clone_rows(Application, template_pk=template.pk, series=(count + 1, SWEEP_APPS - 1),
                       overrides={"tracking_code": f"'BENCH-{tenant.pk}-' || lpad(g::text, 6, '0')",
                                  "due_at": APP_DUE, "at_risk_at": APP_AT_RISK}, params=params)
        apps = Application.objects.filter(offering=offering)
        # the open step of each application (the implicit single step of a version without
        # workflow, as `application_submit` opens it), inserted once like the rows
        without_step = apps.filter(~Exists(ApplicationStep.objects.filter(
            application_id=OuterRef("pk"), finished_at__isnull=True)))
        first = without_step.order_by("pk").values_list("pk", "submitted_at", "due_at").first()
        if first is not None:
            template = ApplicationStep.objects.create(
                application_id=first[0], step_code=STEP_CODE, step_name=STEP_NAME,
                agency_id=offering.agency_id, assignee_id=officer.pk, started_at=first[1],
                sla_value=5, sla_unit="working_days",
                due_at=min(first[2], now + timedelta(days=2)), sla_state="on_track",
            )
            # a fresh seed has no other step rows: skip the per-application NOT EXISTS, which
            # the planner runs as a loop over a table without statistics (≈ 0.2 s per tenant)
            _copy_steps(template_pk=template.pk, params=params, fresh=count == 0)
        Notification.objects.filter(application__in=apps)._raw_delete(connection.alias)
        ApplicationEvent.objects.filter(application__in=apps)._raw_delete(connection.alias)
        table = Application._meta.db_table
        steps = ApplicationStep._meta.db_table
        with connection.cursor() as cursor:
            # back to PRISTINE: only the rows that left it (the last run's crossings, deadlines
            # come closer with time); the others already are, freshly seeded or untouched by a
            # sweep in which nothing crossed
            cursor.execute(
                f"UPDATE {table} SET sla_state = 'on_track', status = 'in_process', "
                f"due_at = {APP_DUE}, at_risk_at = {APP_AT_RISK}, current_step = %(step)s, "
                "involved_agencies = ARRAY[agency_id] WHERE offering_id = %(offering)s AND ("
                "sla_state <> 'on_track' OR status <> 'in_process' OR due_at IS NULL "
                "OR at_risk_at IS NULL OR due_at < %(now)s + interval '1 day' "
                "OR at_risk_at < %(now)s + interval '1 hour' "
                "OR current_step IS DISTINCT FROM %(step)s "
                "OR involved_agencies <> ARRAY[agency_id]::integer[])", params)
            cursor.execute(
                f"UPDATE {steps} s SET sla_state = 'on_track', paused_at = NULL, "
                f"due_at = LEAST(a.due_at, {STEP_DUE}) FROM {table} a "
                "WHERE a.id = s.application_id AND s.finished_at IS NULL "
                "AND a.offering_id = %(offering)s AND (s.sla_state <> 'on_track' "
                "OR s.paused_at IS NOT NULL OR s.due_at IS NULL "
                "OR s.due_at < %(now)s + interval '12 hours' OR s.due_at > a.due_at)", params)
            crossing_n = int(SWEEP_APPS * crossing)
            if crossing_n:
                # 1 % of the open steps past their own deadline: the lowest ids, i.e. the
                # applications that breach below and as many that stay on track
                cursor.execute(
                    f"UPDATE {steps} SET due_at = %(now)s - interval '1 minute' "
                    f"WHERE finished_at IS NULL AND application_id IN (SELECT id FROM {table} "
                    "WHERE offering_id = %(o)s ORDER BY id LIMIT %(n)s)",
                    {"now": now, "o": offering.pk, "n": crossing_n})
                half = crossing_n // 2
                cursor.execute(
                    f"UPDATE {table} SET due_at = %(now)s - interval '1 minute' "
                    "WHERE id IN (SELECT id FROM " + table + " WHERE offering_id = %(o)s "
                    "ORDER BY id LIMIT %(n)s)", {"now": now, "o": offering.pk, "n": half})
                cursor.execute(
                    f"UPDATE {table} SET at_risk_at = %(now)s - interval '1 minute' "
                    "WHERE id IN (SELECT id FROM " + table + " WHERE offering_id = %(o)s "
                    "ORDER BY id DESC LIMIT %(n)s)",
                    {"now": now, "o": offering.pk, "n": crossing_n - half})
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(f"ANALYZE {steps}")


# PRISTINE, what no sweep crosses: an application due in 1 to 6 days and at risk in 1 to 25
# hours, its open step due 12 hours to 3 days from now but never after the application
APP_DUE = "%(now)s + (random() * interval '5 days') + interval '1 day'"
APP_AT_RISK = "%(now)s + (random() * interval '1 day') + interval '1 hour'"
STEP_DUE = "%(now)s + (random() * interval '60 hours') + interval '12 hours'"


def _copy_steps(*, template_pk: int, params: dict, fresh: bool = False) -> None:
    """The template's open step for every bench application still without one, due within
    PRISTINE. `fresh`: the applications were all inserted just now, so only the template's
    own application has a step."""
    from django.db import connection

    from applications.models import Application, ApplicationStep
    from bench.seeding import insert_columns

    columns, selected = insert_columns(ApplicationStep, {
        "application_id": "a.id", "started_at": "a.submitted_at",
        "due_at": f"LEAST(a.due_at, {STEP_DUE})",
    })
    steps = connection.ops.quote_name(ApplicationStep._meta.db_table)
    table = connection.ops.quote_name(Application._meta.db_table)
    without = ("a.id <> t.application_id" if fresh else "NOT EXISTS (SELECT 1 "
               f"FROM {steps} o WHERE o.application_id = a.id AND o.finished_at IS NULL)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {steps} ({columns}) SELECT {selected} FROM {steps} t, {table} a "
            f"WHERE t.id = %(template)s AND a.offering_id = %(offering)s AND {without}",
            {**params, "template": template_pk})


def _bench_staff():
    from django_tenants.utils import schema_context

    from accounts.models import User

    users = []
    with schema_context("public"):
        for email, name in (("bench-kepala@example.id", "Kepala OPD Bench"),
                            ("bench-petugas@example.id", "Petugas Bench")):
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None, full_name=name)
            users.append(user)
    return users


def _prepare_chunk(args) -> list[int]:
    """One worker's share of `_prepare_tenants`: the pks of the tenants it prepared."""
    from django.db import connections

    tenants, crossing, seed = args
    rng, done = random.Random(seed), []
    try:
        for tenant in tenants:
            try:
                _prepare_tenant(tenant, crossing=crossing, rng=rng)
                done.append(tenant.pk)
            except Exception:  # a tenant dropped meanwhile by another bench
                continue
    finally:
        connections.close_all()
    return done


def _prepare_tenants(tenants, *, crossing: float, rng: random.Random) -> list:
    """`_prepare_tenant` for every tenant, in PREPARE_PROCESSES forked processes (each tenant
    is its own schema, so they do not contend); the tenants that could be prepared, in order."""
    import multiprocessing

    from django.db import connections

    if PREPARE_PROCESSES <= 1 or len(tenants) < 2 * PREPARE_PROCESSES:
        done = set(_prepare_chunk((tenants, crossing, rng.random())))
        return [tenant for tenant in tenants if tenant.pk in done]
    _bench_version()  # the public rows every tenant uses, made once before the workers start
    _bench_staff()
    connections.close_all()  # no child may share the parent's socket
    tasks = [(tenants[i:i + 16], crossing, rng.random()) for i in range(0, len(tenants), 16)]
    done: set[int] = set()
    with multiprocessing.get_context("fork").Pool(PREPARE_PROCESSES, maxtasksperchild=8) as pool:
        for result in pool.imap_unordered(_prepare_chunk, tasks):
            done.update(result)
    return [tenant for tenant in tenants if tenant.pk in done]


def _bench_version():
    from bench.fixtures import plain_service_version

    return plain_service_version(code=BENCH_SERVICE, name="Layanan bench SLA")


def _one_sweep(tenants) -> tuple[float, dict]:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from applications.sweep import sweep_tenant
    from monitoring.services import rollup_tenant

    totals = {"at_risk": 0, "breached": 0, "notifications": 0, "failed_tenants": 0}
    started = time.perf_counter()
    for tenant in tenants:
        try:  # isolated per tenant, as in monitoring.tasks (another bench may drop a tenant)
            with tenant_context(tenant):
                counts = sweep_tenant()
                rollup_tenant(tenant_id=tenant.pk, tz_name=tenant.timezone)
        except Exception:
            totals["failed_tenants"] += 1
            continue
        for key, value in counts.as_dict().items():  # whatever the sweep counts (steps too)
            totals[key] = totals.get(key, 0) + value
    seconds = time.perf_counter() - started
    totals["open_steps_breached_after"] = _breached_steps(tenants)  # outside the timing
    connection.set_schema_to_public()
    return seconds, totals


def _breached_steps(tenants) -> int:
    """Open step rows of the bench offering the sweep left breached (0: no step pass)."""
    from django_tenants.utils import tenant_context

    from applications.models import ApplicationStep

    total = 0
    for tenant in tenants:
        try:
            with tenant_context(tenant):
                total += ApplicationStep.objects.filter(
                    application__service_code=BENCH_SERVICE, finished_at__isnull=True,
                    sla_state="breached",
                ).count()
        except Exception:
            continue
    return total


def _sweep():
    # Notification rows are written (that is part of the sweep's cost); handing them to the
    # broker is not measured and must not reach the development broker folder from here.
    import applications.notifications as notifications

    notifications._dispatch = lambda ids, schema=None: None
    rng = random.Random(7)
    started = time.perf_counter()
    tenants = _sweep_tenants()
    setup = time.perf_counter() - started
    results, preparing = {}, {}
    for label, crossing in (("fixed", 0.0), ("crossing", 0.01)):
        prep_started = time.perf_counter()
        tenants = _prepare_tenants(tenants, crossing=crossing, rng=rng)
        preparing[label] = round(time.perf_counter() - prep_started, 1)
        results[label] = _one_sweep(tenants)
    seconds, totals = results["crossing"]
    fixed, _ = results["fixed"]
    per_tenant = seconds / len(tenants)
    conditions = {
        "tenants": len(tenants), "open_applications_per_tenant": SWEEP_APPS,
        "steps": True, "open_steps_per_tenant": SWEEP_APPS, "step_crossing_pct": 1,
        "crossing_pct": 1, "transitions": totals,
        "mode": "one process, tenants in sequence (sweep + rollup upsert per tenant)",
        "per_tenant_ms": round(per_tenant * 1000, 1),
        "extrapolated_514_one_process_s": round(per_tenant * 514, 1),
        "extrapolated_514_two_worker_processes_s": round(per_tenant * 514 / 2, 1),
        "target_s": 60, "setup_seconds": round(setup, 1),
        # seeding (first run: 2,000 rows + steps per tenant by INSERT … SELECT) and resets
        "prepare_seconds": preparing, "prepare_processes": PREPARE_PROCESSES,
    }
    yield {"name": "sla_sweep_seconds", "value": round(seconds, 2), "unit": "s",
           "conditions": conditions}
    yield {"name": "sla_sweep_fixed_seconds", "value": round(fixed, 2), "unit": "s",
           "conditions": {**conditions, "crossing_pct": 0, "step_crossing_pct": 0,
                          "per_tenant_ms": round(fixed / len(tenants) * 1000, 1),
                          "extrapolated_514_one_process_s": round(fixed / len(tenants) * 514, 1),
                          "extrapolated_514_two_worker_processes_s":
                              round(fixed / len(tenants) * 514 / 2, 1),
                          "transitions": results["fixed"][1]}}
