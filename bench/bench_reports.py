"""Benchmark: ``tenant_dashboard_p95_ms`` - the tenant performance dashboard page
(/kelola/laporan/, full request through the middleware, one year period) with 100,000
applications, 50,000 queue tickets, 20,000 SKM responses and 2,000 complaints in one tenant.

Synthetic rows are bulk-inserted once into a dedicated bench tenant (Kota Bekasi, 32.75) and
reused by later runs. Reports p50/p95 over 30 requests after 3 warm-ups.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sqltime import SqlTimer, time_split

REGION = "32.75"
SERVICES = ("BN-KTP", "BN-KK", "BN-AKTA", "BN-SIP")
N_APPS = 100_000
N_TICKETS = 50_000
N_SKM = 20_000
N_COMPLAINTS = 2_000
ROUNDS = 30
STATUSES = ("submitted", "in_process", "approved", "rejected", "completed", "completed")


def _offerings(tenant):
    from django_tenants.utils import schema_context, tenant_context

    from agencies.models import Agency
    from agencies.services import agency_create
    from catalog.models import ServiceVersion
    from hall.models import Counter
    from services.models import Offering
    from services.services import offering_adopt
    from services.tests.factories import service_version

    offerings = []
    with tenant_context(tenant):
        for index, code in enumerate(SERVICES):
            offering = Offering.objects.filter(service_code=code).first()
            if offering is None:
                with schema_context("public"):
                    version = ServiceVersion.objects.filter(service__code=code).first()
                version = version or service_version(
                    code=code, category_code="ADM", name=f"Bench {code}"
                )
                slug = f"bench-{index}"
                agency = Agency.objects.filter(code=slug).first() or agency_create(
                    name=f"Dinas Bench {index}", short_name=f"DB{index}", code=slug
                )
                offering = offering_adopt(
                    service_version=version, agency=agency, channel="online", actor=None
                )
            offerings.append(offering)
            Counter.objects.get_or_create(
                code=f"bench-{index}",
                defaults={
                    "name": f"Loket {index + 1}",
                    "agency_id": offering.agency_id,
                    "services": [code],
                },
            )
    return offerings


def _fill(tenant) -> dict[str, int]:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from feedback.models import Complaint, SkmResponse
    from hall.models import Counter, Ticket

    try:
        from applications.models import Application
    except ImportError:  # pragma: no cover
        Application = None

    offerings = _offerings(tenant)
    rnd = random.Random(7)
    now = timezone.now()
    counts = {}
    with tenant_context(tenant):
        counters = list(Counter.objects.filter(code__startswith="bench-"))
        if Application is not None and Application.objects.count() < N_APPS:
            _fill_applications(offerings, now)
        if Application is not None:
            # a year of activity, not one bulk load: each application last changed when it
            # was decided or completed (else submitted), as a real year's rows would say; a
            # row "updated" during the bench would make its whole day stale for the rollups
            from django.db.models import Value
            from django.db.models.functions import Coalesce, Least

            last = Least(Coalesce("completed_at", "decided_at", "submitted_at"), Value(now))
            Application.objects.filter(tracking_code__startswith="BN").filter(
                updated_at__gt=last).update(updated_at=last)
        if Ticket.objects.count() < N_TICKETS:
            batch = []
            for n in range(N_TICKETS):
                offering = offerings[n % len(offerings)]
                queued = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
                wait = rnd.randrange(60, 3600)
                service = rnd.randrange(120, 1800)
                batch.append(
                    Ticket(
                        kind="walk_in",
                        status="done",
                        offering=offering,
                        service_code=offering.service_code,
                        agency_id=offering.agency_id,
                        counter=counters[n % len(counters)],
                        day=queued.date(),
                        code=f"BN{n:08d}",
                        prefix="A",
                        seq=n + 1,
                        queued_at=queued,
                        called_at=queued + timedelta(seconds=wait),
                        started_at=queued + timedelta(seconds=wait + 30),
                        finished_at=queued + timedelta(seconds=wait + 30 + service),
                        wait_seconds=wait,
                        service_seconds=service,
                    )
                )
                if len(batch) == 5000:
                    Ticket.objects.bulk_create(batch)
                    batch = []
        # the same for the tickets (docs/adr/0015: a ticket changed after its day's rollup
        # makes the day live); ``update`` does not touch auto_now fields
        from django.db.models.functions import Coalesce as TicketLast

        if hasattr(Ticket, "updated_at"):
            last = TicketLast("finished_at", "called_at", "queued_at")
            Ticket.objects.filter(code__startswith="BN", updated_at__gt=last).update(
                updated_at=last)
        if SkmResponse.objects.count() < N_SKM:
            batch = []
            for n in range(N_SKM):
                offering = offerings[n % len(offerings)]
                invited = now - timedelta(minutes=rnd.randrange(365 * 24 * 60))
                answers = {f"u{i}": rnd.choice((2, 3, 3, 4, 4)) for i in range(1, 10)}
                batch.append(
                    SkmResponse(
                        source="ticket",
                        source_id=10_000_000 + n,
                        channel="counter",
                        offering=offering,
                        service_code=offering.service_code,
                        agency_id=offering.agency_id,
                        invited_at=invited,
                        submitted_at=invited + timedelta(minutes=5),
                        **answers,
                    )
                )
                if len(batch) == 5000:
                    SkmResponse.objects.bulk_create(batch)
                    batch = []
        if Complaint.objects.count() < N_COMPLAINTS:
            Complaint.objects.bulk_create(
                [
                    Complaint(
                        tracking_code=f"ADU-BN{n:06d}",
                        subject="service",
                        offering=offerings[n % 4],
                        agency_id=offerings[n % 4].agency_id,
                        title="Bench",
                        shortfall="Bench",
                        created_at=(created := now - timedelta(hours=rnd.randrange(365 * 24))),
                        verify_due=created + timedelta(days=3),
                        respond_due=created + timedelta(days=8),
                        close_due=created + timedelta(days=18),
                        status="closed" if n % 2 else "submitted",
                        closed_at=created + timedelta(days=5) if n % 2 else None,
                    )
                    for n in range(N_COMPLAINTS)
                ],
                batch_size=2000,
            )
        counts = {
            "applications": Application.objects.count() if Application else 0,
            "tickets": Ticket.objects.count(),
            "skm_responses": SkmResponse.objects.count(),
            "complaints": Complaint.objects.count(),
        }
    return counts


def _fill_applications(offerings, now) -> None:
    """N_APPS applications over the four offerings in turn, submitted uniformly over the last
    year, a status drawn from STATUSES, due a week later, decided or completed (as the status
    says) 1 to 399 hours after submission but never after now, last changed then: one row
    through the ORM, the others cloned from it in one INSERT … SELECT (≈ 10 times faster than
    bulk_create; random() draws what random.Random drew)."""
    from applications.models import Application
    from bench.seeding import clone_rows

    first = offerings[0]
    template = Application.objects.bulk_create([Application(
        tracking_code="BN-TEMPLATE", offering=first, service_code=first.service_code,
        service_version_id=first.service_version_id, agency_id=first.agency_id,
        applicant_id=1, status="submitted", submitted_at=now, due_at=now + timedelta(days=7),
    )])[0]
    pick = "(%({name})s::{kind}[])[g %% 4 + 1]"
    finished = "LEAST(r.submitted + r.hours * interval '1 hour', %(now)s - interval '1 minute')"
    clone_rows(Application, template_pk=template.pk, series=(0, N_APPS - 1), lateral=(
        "SELECT %(now)s - floor(random() * 365 * 24 * 60) * interval '1 minute' AS submitted, "
        "(%(statuses)s::text[])[1 + floor(random() * 6)::int] AS status, "
        "1 + floor(random() * 399) AS hours WHERE g IS NOT NULL"), overrides={
        "tracking_code": "'BN' || lpad(g::text, 8, '0')",
        "offering_id": pick.format(name="offering", kind="bigint"),
        "service_code": pick.format(name="service", kind="text"),
        "service_version_id": pick.format(name="version", kind="bigint"),
        "agency_id": pick.format(name="agency", kind="bigint"),
        "applicant_id": "1 + g %% 5000", "status": "r.status", "submitted_at": "r.submitted",
        "due_at": "r.submitted + interval '7 days'",
        "decided_at": f"CASE WHEN r.status IN ('approved', 'rejected') THEN {finished} END",
        "completed_at": f"CASE WHEN r.status = 'completed' THEN {finished} END",
        "updated_at": f"CASE WHEN r.status IN ('approved', 'rejected', 'completed') "
                      f"THEN {finished} ELSE r.submitted END",
    }, params={"now": now, "statuses": list(STATUSES),
               "offering": [o.pk for o in offerings], "service": [o.service_code for o in offerings],
               "version": [o.service_version_id for o in offerings],
               "agency": [o.agency_id for o in offerings]})
    Application.objects.filter(pk=template.pk).delete()  # only its columns were wanted


def _rounds(client, url: str) -> tuple[list[float], list[float], list[int]]:
    """ROUNDS timed requests: wall ms (sorted), SQL ms and statements of each."""
    timings, sql_ms, queries = [], [], []
    for _ in range(ROUNDS):
        with SqlTimer() as spent:
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        sql_ms.append(spent.seconds * 1000)
        queries.append(spent.count)
        assert response.status_code == 200
    timings.sort()
    return timings, sql_ms, queries


def run() -> list[dict[str, object]]:
    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant
    from tenants.services import tenant_create_ready

    tenant = tenant_create_ready(region_code=REGION)
    started = time.perf_counter()
    counts = _fill(tenant)
    fill_seconds = round(time.perf_counter() - started, 1)
    # the past days as the hourly task leaves them (docs/adr/0012): roll them up, timed
    from reports.services import daily_figures_backfill

    started = time.perf_counter()
    with tenant_context(tenant):
        rollup_days = daily_figures_backfill(tz=getattr(tenant, "timezone", "") or "Asia/Jakarta")
    backfill_seconds = round(time.perf_counter() - started, 2)
    user = User.objects.filter(
        email="bench-reports@example.id"
    ).first() or User.objects.create_user(
        email="bench-reports@example.id", password="bench-only-123", full_name="Bench Admin"
    )
    with tenant_context(tenant):
        if not StaffRole.objects.filter(user_id=user.pk).exists():
            staff_role_grant(user=user, role=StaffRole.Role.TENANT_ADMIN, agency=None)
    client = Client(HTTP_HOST=tenant.domains.get(is_primary=True).domain)
    client.force_login(user)
    today = timezone.localdate()
    url = f"/kelola/laporan/?dari={(today - timedelta(days=365)).isoformat()}&sampai={today.isoformat()}"
    for _ in range(3):
        assert client.get(url).status_code == 200
    timings, sql_ms, queries = _rounds(client, url)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    # the same requests with every section on the request's own connection, one after the
    # other (core.concurrency off): the same-run reference for the side connection's gain,
    # and the page's whole query count and SQL time
    os.environ["MPP_BESIDE"] = "0"
    try:
        assert client.get(url).status_code == 200  # warm-up
        inline, inline_sql, inline_queries = _rounds(client, url)
    finally:
        del os.environ["MPP_BESIDE"]
    conditions = {
        **counts,
        "period_days": 365,
        "rounds": ROUNDS,
        "fill_seconds": fill_seconds,
        "rollup_days": rollup_days,
        "backfill_seconds": backfill_seconds,
        "request": "GET /kelola/laporan/ (full middleware + template + SVG charts)",
        # where the time goes: SQL (execute incl. round trip) vs everything else
        # (middleware, view code, template and SVG rendering), summed over the rounds
        # queue, IKM, complaints and steps run on a second connection beside the
        # applications statement (core.concurrency, docs/adr/0017): the split and the query
        # count above are the request's own connection; the inline run has them all
        **time_split(timings, sql_ms),
        "queries_request_connection": max(queries),
        "queries_per_request": statistics.median(inline_queries),
        "inline_sql_ms_p50": round(statistics.median(inline_sql), 1),
        "inline_p95_ms": round(inline[int(0.95 * (len(inline) - 1))], 1),
        "inline_p50_ms": round(statistics.median(inline), 1),
    }
    if not counts.get("applications"):
        conditions["note"] = "applications models missing: dashboard measured without them"
    return [
        {
            "name": "tenant_dashboard_p95_ms",
            "value": round(p95, 1),
            "unit": "ms",
            "conditions": conditions,
        },
        {
            "name": "tenant_dashboard_p50_ms",
            "value": round(statistics.median(timings), 1),
            "unit": "ms",
            "conditions": {"rounds": ROUNDS},
        },
    ]
