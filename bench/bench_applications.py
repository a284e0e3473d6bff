"""Benchmarks of the applications app (run by `make bench`, bench database `mpp_bench`).

* ``application_submit_per_second`` (and ``application_submit_p95_ms``):
  ``applications.services.application_submit`` (create + validate + consent plan + tracking
  code from its counter row + first step + events + outbox rows + vault share; the
  notification task is *queued* on commit for the worker, as in production, to a filesystem
  broker folder of its own that nothing consumes), sequential, one process. Baseline: a bare
  insert of one row in a transaction through the ORM (``bare_insert_per_second``), and the
  ratio. Reports the SQL vs Python split, the queries per submission by kind, named parts
  and the tasks published per submission. ``MPP_BENCH_SUBMIT_ONLY=1`` stops the module after
  this figure (to iterate on it; ``make bench`` runs everything).
* ``worklist_p95_ms``: ``GET /kelola/permohonan/`` as a tenant admin with 10,000
  applications in one tenant, through the Django test Client (whole middleware stack:
  tenant routing, sessions, auth, back-office role check). Baseline: a bare view at
  ``/kelola/_bench/bare/`` through the same stack; ratio = worklist p95 / bare p95.
* ``portal_service_list_rps``: anonymous ``GET /layanan/`` (the portal's service list),
  baseline: anonymous bare view ``/_bench/bare/``; ratio = list rps / bare rps.
* ``workflow_handoff_per_second`` (and ``workflow_handoff_p95_ms``): the ``forward`` action of
  ``applications.statemachine.application_transition`` on the seeded SIP services (catalogue
  seed, workflow DPMPTSP → Dinkes → DPMPTSP, kinds mapped with
  ``agencies.services.agency_kind_map``): Dinas Kesehatan's officer leaves the technical check
  with its record (two text fields and the recommendation PDF, stored), the step row is
  closed, the decision step opens at DPMPTSP with its own deadline on the tenant calendar, the
  event is written and the webhook delivery queued (one active endpoint; tasks published on
  commit to a throw-away broker). Baseline, interleaved with it in the same loop:
  ``start_verification`` of a single-step (pre-workflow) service at Disdukcapil: the
  plain staff status change (lock, role check, status, event, the citizen's notifications,
  webhook) without step hand-off or deadline maths. Reports the ratio, the p95, the SQL vs
  Python split (``bench.sqltime``) and the queries per hand-off.

This module is also the URLconf used during the run (``urlpatterns`` below = the tenant
URLs + the bare view), so the baseline goes through exactly the same path.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # executed as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.sqltime import SqlTimer, Stopwatch, time_split

N_APPLICATIONS = 10_000
N_LARGE = 100_000
N_SUBMITS = 150
N_REQUESTS = 60
N_HANDOFFS = 200
HANDOFF_WARMUP = 5
# the baseline's service: a catalogue version without steps (the implicit single step), adopted
# at Disdukcapil and left disabled so that the portal list measured above does not change
PLAIN_SERVICE = "BENCH-PLAIN"
REGION = "32.73"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _urlpatterns() -> list[Any]:
    from config import urls_tenant

    return [
        path("_bench/bare/", bare),
        path("kelola/_bench/bare/", bare),
        *urls_tenant.urlpatterns,
    ]


def __getattr__(name: str) -> Any:  # the URLconf attributes, resolved lazily
    if name == "urlpatterns":
        return _urlpatterns()
    if name in {"handler404", "handler403", "handler500"}:
        from config import urls_tenant

        return getattr(urls_tenant, name)
    raise AttributeError(name)


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _setup() -> dict[str, Any]:
    from django.utils import timezone
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant
    from catalog.seeding import seed_catalog
    from services.seeding import seed_demo_tenant as seed_offerings
    from tenants.models import Tenant
    from tenants.services import tenant_create_ready, tenant_set_state

    seed_catalog()
    tenant = tenant_create_ready(region_code=REGION)
    if tenant.state != Tenant.State.LIVE:
        tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
    with schema_context("public"):
        citizen, _ = User.objects.get_or_create(
            email="bench-warga@example.id",
            defaults={"full_name": "Warga Bench", "phone": "6281299990000",
                      "email_verified_at": timezone.now()},
        )
        admin, _ = User.objects.get_or_create(
            email="bench-admin@example.id", defaults={"full_name": "Admin Bench"}
        )
    with tenant_context(tenant):
        seed_offerings(tenant=tenant)
        staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN)
    return {"tenant": tenant, "citizen": citizen, "admin": admin}


def _fill(tenant: Any, citizen: Any, offering: Any, *, n: int = N_APPLICATIONS,
          prefix: str = "3273-BENCH-0001-") -> int:
    """Open applications up to `n` (bulk), then ANALYZE, as autovacuum does within a minute
    of such a load in production (without it the planner believes the table is empty)."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from applications.models import Application
    from bench.seeding import clone_rows

    with tenant_context(tenant):
        existing = Application.objects.exclude(status="draft").count()
        missing = n - existing
        if missing <= 0:
            return existing
        now = timezone.now()
        states = ["on_track"] * 6 + ["at_risk", "breached", "paused", "not_started"]
        statuses = ["submitted", "in_verification", "in_process", "returned", "resubmitted"]
        # row i: status i % 5, SLA state i % 10, submitted i % 500 hours ago, due in
        # (37 i % 20,000 - 2,000) minutes (none when paused or not started); the first made
        # through the ORM (every column as the model fills it), the others copied from it in
        # one INSERT … SELECT (≈ 10 times faster than bulk_create at 100,000)
        state = states[0]
        template = Application.objects.bulk_create([Application(
            offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency_id=offering.agency_id,
            applicant_id=citizen.pk, status=statuses[0],
            tracking_code=f"{prefix}{uuid.uuid4().hex[:12].upper()}",
            submitted_at=now, clock_started_at=now - timedelta(hours=1),
            due_at=now + timedelta(minutes=-2_000), sla_state=state,
            form_data={"nama_pemohon": "Warga Bench"},
        )])[0]
        clone_rows(Application, template_pk=template.pk, series=(1, missing - 1), overrides={
            "status": "(%(statuses)s::text[])[g %% 5 + 1]",
            "sla_state": "(%(states)s::text[])[g %% 10 + 1]",
            "tracking_code": "%(prefix)s || upper(substr(md5(random()::text), 1, 12))",
            "submitted_at": "%(now)s - (g %% 500) * interval '1 hour'",
            "clock_started_at": "CASE WHEN (%(states)s::text[])[g %% 10 + 1] = 'not_started' "
                                "THEN NULL ELSE %(now)s - interval '1 hour' END",
            "due_at": "CASE WHEN (%(states)s::text[])[g %% 10 + 1] IN ('paused', 'not_started') "
                      "THEN NULL ELSE %(now)s + ((g * 37) %% 20000 - 2000) * interval '1 minute' "
                      "END",
        }, params={"now": now, "prefix": prefix, "states": states, "statuses": statuses})
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Application._meta.db_table)}")
        return Application.objects.exclude(status="draft").count()


LARGE_PREFIX = "3273-BENCH-0100-"


def _worklist_large(tenant: Any, citizen: Any, offering: Any, client: Any) -> dict[str, Any]:
    """The worklist at N_LARGE open applications: the first page, and a page 40 "Berikutnya"
    clicks deep (keyset: no OFFSET, no full count). The extra rows are removed afterwards so
    the later modules (the SLA sweep covers Kota Bandung too) see the same data as before."""
    import re

    from django.db import connection
    from django_tenants.utils import tenant_context

    from applications.models import Application

    total = _fill(tenant, citizen, offering, n=N_LARGE, prefix=LARGE_PREFIX)
    try:
        _timed_get(client, "/kelola/permohonan/", 3)
        first = _timed_get(client, "/kelola/permohonan/", N_REQUESTS)
        first_where = _where(client, "/kelola/permohonan/")
        url = "/kelola/permohonan/"
        for _hop in range(40):
            found = re.search(r'href="\?after=([\w-]+)" rel="next"',
                              client.get(url).content.decode())
            url = f"/kelola/permohonan/?after={found.group(1)}"
        deep = _timed_get(client, url, N_REQUESTS)
    finally:
        # one DELETE (nothing refers to these rows: only GETs ran; a row that gained one
        # fails the foreign key check instead of being cascaded away silently)
        with tenant_context(tenant):
            Application.objects.filter(tracking_code__startswith=LARGE_PREFIX)._raw_delete(
                connection.alias)
    return {"applications": total, "first": first, "deep": deep, "where": first_where}


def _as_the_form_loads_it(tenant: Any) -> Any:
    """The KK-UBAH offering as the application form view loads it (with its version and OPD)."""
    from django_tenants.utils import tenant_context

    from applications.services import offering_for_apply

    with tenant_context(tenant):
        return offering_for_apply(service_code="KK-UBAH")


def _submit_rate(tenant: Any, citizen: Any, offering: Any) -> tuple[float, float]:
    """The submissions (and the same-run bare insert); the p95 and where the time goes are
    left in `_SUBMIT_P95_MS` and `_SUBMIT_DETAIL` (SQL vs Python, queries per submission by
    kind, named parts, the tasks each submission published to the broker)."""
    from django.db import connections, transaction
    from django_tenants.utils import tenant_context

    from applications import attachments, notifications, services, statemachine, tracking
    from applications.formspec import form_spec_for
    from applications.models import ApplicationEvent
    from applications.seeding import _demo_form_data
    from applications.services import application_submit
    from applications.vault import vault_document_create

    with tenant_context(tenant):
        spec = form_spec_for(offering)
        from django.core.files.uploadedfile import SimpleUploadedFile

        from applications.seeding import DEMO_PDF

        doc = vault_document_create(
            owner=citizen, upload=SimpleUploadedFile("kk.pdf", DEMO_PDF), document_type="KK"
        )
        documents = {r.code: doc.pk for r in spec.requirements}
        form_data = _demo_form_data(spec, citizen)
        application_submit(applicant=citizen, idempotency_key=uuid.uuid4().hex,
                           offering=offering, form_data=form_data, documents=documents,
                           share_consent=True)
        timings: list[float] = []
        sql_ms: list[float] = []
        commit_ms: list[float] = []
        queries: set[int] = set()
        kinds: dict[str, int] = {}
        part_ms: dict[str, list[float]] = {}
        # named parts (their SQL included), looked up at call time by their callers
        parts = {"validation": (services, "validate_submission"),
                 "consent_plan": (services, "_consented_plan"),
                 "transition": (services, "application_transition"),
                 "tracking_code": (tracking, "tracking_code_next"),
                 "notifications": (notifications, "notify_status_change"),
                 "event_hooks_webhook": (statemachine, "application_event_recorded"),
                 "documents_attach": (attachments, "documents_attach"),
                 "on_commit_hooks": (connections["default"], "run_and_clear_commit_hooks")}
        with _queued_tasks() as broker:
            t0 = time.perf_counter()
            for _ in range(N_SUBMITS):
                with Stopwatch(**parts) as watch, SqlTimer() as spent:
                    started = time.perf_counter()
                    application_submit(applicant=citizen, idempotency_key=uuid.uuid4().hex,
                                       offering=offering, form_data=form_data,
                                       documents=documents, share_consent=True)
                    timings.append((time.perf_counter() - started) * 1000)
                sql_ms.append(spent.seconds * 1000)
                commit_ms.append(spent.commit_seconds * 1000)
                queries.add(spent.count + spent.commits)
                kinds = {**dict(sorted(spent.kinds.items())), "COMMIT": spent.commits}
                for part, seconds in watch.seconds.items():
                    part_ms.setdefault(part, []).append(seconds * 1000)
            submit_rate = N_SUBMITS / (time.perf_counter() - t0)
            published = broker.published()
        global _SUBMIT_P95_MS, _SUBMIT_DETAIL
        _SUBMIT_P95_MS = _percentile(timings, 95)
        _SUBMIT_DETAIL = {
            # SQL = execute + round trip + COMMIT; the rest is Python (ORM, validation, form,
            # state machine, deadline maths, task publishing to the broker)
            **time_split(timings, sql_ms, ms_digits=2),
            "commit_ms_p50": round(statistics.median(commit_ms), 2),
            "median_ms": round(statistics.median(timings), 2),
            "queries_per_submit": sorted(queries),
            "queries_by_kind": kinds,
            "parts_ms_p50": _parts_p50(part_ms),
            "tasks_published_per_submit": round(published / N_SUBMITS, 2),
        }
        from applications.models import Application

        anchor = Application.objects.exclude(status="draft").first()
        t0 = time.perf_counter()
        for _ in range(N_SUBMITS):
            with transaction.atomic():
                ApplicationEvent.objects.create(application=anchor, kind="comment", note="bench")
        bare_rate = N_SUBMITS / (time.perf_counter() - t0)
        ApplicationEvent.objects.filter(application=anchor, kind="comment", note="bench").delete()
    return submit_rate, bare_rate


_SUBMIT_DETAIL: dict[str, object] = {}
_SUBMIT_P95_MS = 0.0


class _queued_tasks:
    """Celery tasks published (not run eagerly) to a throw-away filesystem broker folder."""

    def __enter__(self) -> _queued_tasks:
        import tempfile

        from config.celery_app import app as celery_app

        self.folder = tempfile.TemporaryDirectory(prefix="mpp-bench-broker-")
        self.saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url,
                      celery_app.conf.broker_transport_options)
        queue = Path(self.folder.name) / "queue"
        processed = Path(self.folder.name) / "processed"
        queue.mkdir()
        processed.mkdir()
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = "filesystem://"
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(queue), "data_folder_out": str(queue),
            "processed_folder": str(processed), "store_processed": False,
            "control_folder": str(Path(self.folder.name) / "control"),
        }
        _reset_pool(celery_app)
        self.app = celery_app
        self.queue = queue
        return self

    def published(self) -> int:
        """Messages published so far (one file each in the broker's folder)."""
        return sum(1 for _path in self.queue.iterdir())

    def __exit__(self, *exc: object) -> None:
        (self.app.conf.task_always_eager, self.app.conf.broker_url,
         self.app.conf.broker_transport_options) = self.saved
        _reset_pool(self.app)
        self.folder.cleanup()


def _reset_pool(celery_app: Any) -> None:
    """Drop the producer pool so the next publish connects with the current broker settings."""
    celery_app._pool = None  # what Celery itself does after a fork (`Celery._after_fork`)
    celery_app.amqp._producer_pool = None


def _where(client: Any, url: str, n: int = 20) -> dict[str, Any]:
    """Where the page's time goes (bench.sqltime.PageTimer), in a separate instrumented pass
    so the headline figure is measured without the instrumentation."""
    from bench.sqltime import PageTimer

    with PageTimer() as page:
        _timed_get(client, url, n)
    return page.shares()


def _timed_get(client: Any, url: str, n: int) -> list[float]:
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings


# --- workflow hand-off ----------------------------------------------------------------------


def _handoff_setup(tenant: Any, citizen: Any) -> dict[str, Any]:
    """The SIP offerings of the tenant (their workflow passes DPMPTSP → Dinkes → DPMPTSP), the
    kinds mapped to the seeded OPDs, an officer of Dinkes and one of Disdukcapil, and one
    active webhook endpoint (removed again by `_handoff_cleanup`)."""
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from agencies.models import Agency, StaffRole
    from agencies.services import agency_kind_map, staff_role_grant
    from catalog.workflow import FORWARD, workflow_of
    from integrations.conf import EVENT_APPLICATION_STATUS_CHANGED
    from integrations.crypto import new_secret, seal
    from integrations.models import WebhookEndpoint
    from services.models import Offering

    with schema_context("public"):
        users = {}
        for key, email, name in (("dinkes", "bench-dinkes@example.id", "Petugas Dinkes Bench"),
                                 ("disdukcapil", "bench-dukcapil@example.id",
                                  "Petugas Disdukcapil Bench")):
            users[key] = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None, full_name=name)
    with tenant_context(tenant):
        agencies = {a.code: a for a in Agency.objects.filter(
            code__in=["dpmptsp", "dinkes", "disdukcapil"])}
        for kind in ("dpmptsp", "dinkes"):
            agency_kind_map(kind=kind, agency=agencies[kind])
        for key, user in users.items():
            staff_role_grant(user=user, role=StaffRole.Role.OFFICER, agency=agencies[key])
        sip = []
        for offering in Offering.objects.select_related("service_version").filter(
            is_enabled=True
        ).order_by("service_code"):
            workflow = workflow_of(offering.service_version)
            if workflow.agency_kinds != ["dinkes", "dpmptsp"]:
                continue
            values = _sip_form_data(offering, citizen)
            # the hand-off measured: the Dinkes step whose next step is back at DPMPTSP
            for step in workflow.steps:
                following = workflow.next_step(step.code, values)
                if (step.agency_kind == "dinkes" and FORWARD in step.outcomes and following
                        and following.agency_kind == "dpmptsp"):
                    sip.append((offering, workflow, step, values))
                    break
        if not sip:
            raise RuntimeError("no seeded SIP offering with a DPMPTSP → Dinkes → DPMPTSP workflow")
        single = Offering.objects.select_related("service_version").filter(
            service_code=PLAIN_SERVICE).first()
        if single is None:  # every seeded service has a workflow now: a bench one without
            from bench.fixtures import plain_service_version
            from services.services import offering_adopt

            version = plain_service_version(code=PLAIN_SERVICE, name="Layanan bench tanpa alur",
                                            category="ADM", sla_value=1)
            adopted = offering_adopt(service_version=version, agency=agencies["disdukcapil"],
                                     channel="online", actor=None, is_enabled=False)
            single = Offering.objects.select_related("service_version").get(pk=adopted.pk)
        if not workflow_of(single.service_version).implicit:
            raise RuntimeError(f"{PLAIN_SERVICE} must have no workflow (single implicit step)")
        WebhookEndpoint.objects.filter(name="bench-handoff").delete()
        endpoint = WebhookEndpoint.objects.create(
            name="bench-handoff", url="https://opd.example.id/webhook",
            events=[EVENT_APPLICATION_STATUS_CHANGED], secret_sealed=seal(new_secret()),
        )
    return {"sip": sip, "single": single, "agencies": agencies, "users": users,
            "endpoint": endpoint}


def _sip_form_data(offering: Any, citizen: Any) -> dict[str, Any]:
    from applications.formspec import form_spec_for
    from applications.seeding import _demo_form_data

    values = _demo_form_data(form_spec_for(offering), citizen)
    # practice at a health facility: no site inspection, so Dinkes hands straight back
    values["jenis_praktik"] = "fasilitas_kesehatan"
    return values


def _handoff_fill(env: dict[str, Any], citizen: Any, n: int) -> tuple[list[int], list[int]]:
    """Bulk-insert `n` SIP applications held by Dinkes at the technical check (intake step at
    DPMPTSP closed, the Dinkes step open with its deadline: what `accept` leaves) and `n`
    single-step applications just submitted (their one step open at Disdukcapil)."""
    from django.utils import timezone

    from applications.models import Application, ApplicationStep, SlaState, StepOutcome
    from sla.selectors import step_due_for

    now = timezone.now()
    agencies = env["agencies"]
    dpmptsp, dinkes = agencies["dpmptsp"].pk, agencies["dinkes"].pk
    run = uuid.uuid4().hex[:6].upper()
    received, accepted = now - timedelta(hours=6), now - timedelta(hours=4)
    sip_apps = []
    for i in range(n):
        offering, workflow, step, values = env["sip"][i % len(env["sip"])]
        sip_apps.append(Application(
            offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency_id=dinkes,
            applicant_id=citizen.pk, status="in_process", current_step=step.code,
            involved_agencies=[dpmptsp, dinkes],
            tracking_code=f"3273-BENCH-WF{run}-{i:05d}", submitted_at=received,
            clock_started_at=accepted, due_at=now + timedelta(days=4),
            at_risk_at=now + timedelta(days=3), sla_state="on_track", form_data=values,
        ))
    single = env["single"]
    disdukcapil = single.agency_id
    single_apps = [Application(
        offering=single, service_code=single.service_code,
        service_version_id=single.service_version_id, agency_id=disdukcapil,
        applicant_id=citizen.pk, status="submitted", current_step="proses",
        involved_agencies=[disdukcapil], tracking_code=f"3273-BENCH-PS{run}-{i:05d}",
        submitted_at=received, form_data={"nama_pemohon": "Warga Bench"},
    ) for i in range(n)]
    Application.objects.bulk_create(sip_apps + single_apps, batch_size=2000)
    dues: dict[tuple[Any, ...], Any] = {}

    def due(value: int, unit: str, start: Any) -> Any:
        key = (value, unit, start)
        if key not in dues:
            dues[key] = step_due_for(value=value, unit=unit, start=start)
        return dues[key]

    rows = []
    for i, application in enumerate(sip_apps):
        _offering, workflow, step, _values = env["sip"][i % len(env["sip"])]
        intake = workflow.first
        rows.append(ApplicationStep(
            application=application, step_code=intake.code, step_name=intake.name,
            agency_kind=intake.agency_kind, agency_id=dpmptsp, started_at=received, finished_at=accepted,
            outcome=StepOutcome.FORWARD, sla_state=SlaState.MET, sla_value=intake.sla_value,
            sla_unit=intake.sla_unit, due_at=due(intake.sla_value, intake.sla_unit, received),
        ))
        rows.append(ApplicationStep(
            application=application, step_code=step.code, step_name=step.name,
            agency_kind=step.agency_kind, agency_id=dinkes, started_at=accepted, sla_value=step.sla_value,
            sla_unit=step.sla_unit, due_at=due(step.sla_value, step.sla_unit, accepted),
            sla_state=SlaState.ON_TRACK,
        ))
    version = single.service_version
    for application in single_apps:
        rows.append(ApplicationStep(
            application=application, step_code="proses", step_name="Proses permohonan",
            agency_id=disdukcapil, started_at=received, sla_value=version.sla_value,
            sla_unit=str(version.sla_unit),
            due_at=due(version.sla_value, str(version.sla_unit), received),
            sla_state=SlaState.ON_TRACK,
        ))
    ApplicationStep.objects.bulk_create(rows, batch_size=2000)
    return [a.pk for a in sip_apps], [a.pk for a in single_apps]


def _handoffs(tenant: Any, citizen: Any) -> list[dict[str, object]]:
    from django.db import connection, connections
    from django_tenants.utils import tenant_context

    import sla.selectors
    from applications import statemachine, steps
    from applications.models import ApplicationStep, Notification
    from applications.permissions import staff_scope
    from applications.seeding import _demo_step_record
    from applications.statemachine import application_transition
    from integrations.models import WebhookDelivery

    started = time.perf_counter()
    env = _handoff_setup(tenant, citizen)
    total = HANDOFF_WARMUP + N_HANDOFFS
    with tenant_context(tenant):
        sip_ids, single_ids = _handoff_fill(env, citizen, total)
        health, front = env["users"]["dinkes"], env["users"]["disdukcapil"]
        # the back-office middleware loads the roles once per request; the views pass them on
        scopes = {"handoff": staff_scope(health), "baseline": staff_scope(front)}
        setup_seconds = time.perf_counter() - started
        wall: dict[str, list[float]] = {"handoff": [], "baseline": []}
        sql: dict[str, list[float]] = {"handoff": [], "baseline": []}
        queries: dict[str, set[int]] = {"handoff": set(), "baseline": set()}
        kinds: dict[str, dict[str, int]] = {}
        commit_ms: dict[str, list[float]] = {"handoff": [], "baseline": []}
        # named parts (their SQL included): the subscribers of the recorded event (the
        # webhook), the on-commit task publishing, the step record with its PDF, the deadline
        parts = {"event_hooks_webhook": (statemachine, "application_event_recorded"),
                 "on_commit_hooks": (connections["default"], "run_and_clear_commit_hooks"),
                 "step_record_and_pdf": (steps, "step_record"),
                 "step_deadline": (sla.selectors, "step_due_for")}
        part_ms: dict[str, dict[str, list[float]]] = {"handoff": {}, "baseline": {}}
        try:
            with _queued_tasks():
                for i in range(total):
                    record = _demo_step_record()  # arrives with the request (upload parsed)
                    for label, call in (
                        ("handoff", lambda i=i, record=record: application_transition(
                            application_id=sip_ids[i], action="forward", actor=health,
                            scope=scopes["handoff"], record=record)),
                        ("baseline", lambda i=i: application_transition(
                            application_id=single_ids[i], action="start_verification",
                            actor=front, scope=scopes["baseline"])),
                    ):
                        with Stopwatch(**parts) as watch, SqlTimer() as spent:
                            t0 = time.perf_counter()
                            call()
                            elapsed = (time.perf_counter() - t0) * 1000
                        if i < HANDOFF_WARMUP:
                            continue
                        for part, seconds in watch.seconds.items():
                            part_ms[label].setdefault(part, []).append(seconds * 1000)
                        wall[label].append(elapsed)
                        sql[label].append(spent.seconds * 1000)
                        commit_ms[label].append(spent.commit_seconds * 1000)
                        queries[label].add(spent.count)
                        kinds[label] = dict(sorted(spent.kinds.items()))
            moved = ApplicationStep.objects.filter(
                application_id__in=sip_ids, finished_at__isnull=True,
                agency_id=env["agencies"]["dpmptsp"].pk,
            ).count()
            deliveries = {label: WebhookDelivery.objects.filter(
                endpoint=env["endpoint"], payload__data__action=action).count()
                for label, action in (("handoff", "forward"), ("baseline", "start_verification"))}
            notified = Notification.objects.filter(application_id__in=single_ids).count()
            handoff_notes = Notification.objects.filter(application_id__in=sip_ids).count()
        finally:
            _handoff_cleanup(env, sip_ids + single_ids)
        connection.set_schema_to_public()
    bench_seconds = time.perf_counter() - started
    if moved != total:
        raise RuntimeError(f"{moved} of {total} SIP applications reached the DPMPTSP step")
    handoff_rate = len(wall["handoff"]) / (sum(wall["handoff"]) / 1000)
    baseline_rate = len(wall["baseline"]) / (sum(wall["baseline"]) / 1000)
    services = sorted({offering.service_code for offering, *_ in env["sip"]})
    _o, _w, step, _v = env["sip"][0]
    conditions: dict[str, object] = {
        "tenant": tenant.slug, "python": platform.python_version(), "cores": 1,
        "database": "PostgreSQL (bench DB)", "handoffs": N_HANDOFFS,
        "warmup_discarded": HANDOFF_WARMUP,
        "services": services, "step": f"{step.code} (dinkes) -> next step (dpmptsp)",
        "kinds_mapped": "agency_kind_map: dpmptsp -> DPMPTSP, dinkes -> Dinkes",
        "actor": "officer of Dinkes (roles loaded once, passed as the staff view does)",
        "record": "2 text fields + 1 PDF stored (default storage, temporary MEDIA_ROOT)",
        "webhook_endpoints": 1,
        "webhook_deliveries_per_handoff": round(deliveries["handoff"] / total, 2),
        "citizen_notifications_per_handoff": round(handoff_notes / total, 2),
        "celery": "queued on commit (filesystem broker, not consumed)",
        "interleaved_with_baseline": True,
        "baseline": f"start_verification of {PLAIN_SERVICE} (no workflow: the implicit "
                    "single step, the pre-workflow kind)",
    }
    split = time_split(wall["handoff"], sql["handoff"], ms_digits=2)
    base_split = time_split(wall["baseline"], sql["baseline"], ms_digits=2)
    return [
        {"name": "workflow_handoff_per_second", "value": round(handoff_rate, 1), "unit": "1/s",
         "conditions": {
             **conditions,
             # where the time goes: SQL = execute + round trip + COMMIT; the rest is Python
             # (ORM, state machine, step record and PDF write, deadline on the calendar,
             # on-commit task publishing); parts_ms_p50: named parts, their SQL included
             **split, "commit_ms_p50": round(statistics.median(commit_ms["handoff"]), 2),
             "parts_ms_p50": _parts_p50(part_ms["handoff"]),
             "queries_per_handoff": sorted(queries["handoff"]),
             "queries_by_kind": kinds.get("handoff", {}),
             "median_ms": round(statistics.median(wall["handoff"]), 2),
             "setup_seconds": round(setup_seconds, 1),
             "bench_seconds": round(bench_seconds, 1),
         }},
        {"name": "workflow_handoff_p95_ms", "value": round(_percentile(wall["handoff"], 95), 2),
         "unit": "ms", "conditions": {"handoffs": N_HANDOFFS, "services": services}},
        {"name": "workflow_handoff_baseline_plain_transition_per_second",
         "value": round(baseline_rate, 1), "unit": "1/s",
         "conditions": {
             "transition": f"start_verification, {PLAIN_SERVICE} (a catalogue version without "
                           "steps: the implicit single step at Disdukcapil)",
             "why": "the plain staff status change of the pre-workflow kind: one status, one "
                    "event, the citizen's notifications, the webhook; its step move is only "
                    "the assignee claim on the open step. Not return/resubmit: two transitions "
                    "(one by the citizen) with clock pause/resume maths, not a plain change",
             "actor": "officer of Disdukcapil", "transitions": N_HANDOFFS,
             "webhook_endpoints": 1,
             "webhook_deliveries_per_transition": round(deliveries["baseline"] / total, 2),
             "citizen_notifications_per_transition": round(notified / total, 2),
             "parts_ms_p50": _parts_p50(part_ms["baseline"]),
             "p95_ms": round(_percentile(wall["baseline"], 95), 2),
             **base_split, "queries_per_transition": sorted(queries["baseline"]),
             "queries_by_kind": kinds.get("baseline", {}),
         }},
        {"name": "workflow_handoff_ratio_vs_plain_transition",
         "value": round(handoff_rate / baseline_rate, 3), "unit": "ratio",
         "conditions": {"numerator": "workflow_handoff_per_second",
                        "denominator": "workflow_handoff_baseline_plain_transition_per_second"}},
    ]


def _submit_results(tenant: Any, submit_rate: float, insert_rate: float
                    ) -> list[dict[str, object]]:
    conditions: dict[str, object] = {
        "tenant": tenant.slug, "python": platform.python_version(), "cores": 1,
        "database": "PostgreSQL (bench DB)", "submissions": N_SUBMITS, "sequential": True,
    }
    return [
        {"name": "application_submit_per_second", "value": round(submit_rate, 1), "unit": "1/s",
         "conditions": {**conditions,
                        "operation": "applications.services.application_submit, "
                                     "create-and-submit of KK-UBAH with one vault document "
                                     "shared with consent",
                        "celery": "queued on commit (filesystem broker, not consumed)",
                        "includes": "validation, consent plan, tracking code (counter row), "
                                    "first workflow step and its deadline, 2 timeline events, "
                                    "2 outbox rows (email + SMS), vault share + audit, "
                                    "webhook check, the notification task published",
                        # where the time goes (SQL share, queries by kind, named parts)
                        **_SUBMIT_DETAIL}},
        {"name": "application_submit_p95_ms", "value": round(_SUBMIT_P95_MS, 1), "unit": "ms",
         "conditions": {**conditions, "median_ms": _SUBMIT_DETAIL.get("median_ms")}},
        {"name": "application_submit_baseline_bare_insert_per_second",
         "value": round(insert_rate, 1), "unit": "1/s",
         "conditions": {**conditions, "operation": "one ORM insert in a transaction"}},
        {"name": "application_submit_ratio_vs_bare_insert",
         "value": round(submit_rate / insert_rate, 3), "unit": "ratio",
         "conditions": {"target": "250/s at the bare insert's ~1,300/s (ratio 0.19)"}},
    ]


def _parts_p50(parts: dict[str, list[float]]) -> dict[str, float]:
    return {name: round(statistics.median(values), 2) for name, values in parts.items()
            if values and max(values) > 0}


def _handoff_cleanup(env: dict[str, Any], application_ids: list[int]) -> None:
    """Remove the bench's applications (steps, events, notifications cascade), the webhook
    endpoint and its deliveries, so the other figures of this tenant stay comparable."""
    from applications.models import Application

    env["endpoint"].delete()  # deliveries cascade
    Application.objects.filter(pk__in=application_ids).delete()


def run() -> list[dict[str, object]]:
    import tempfile

    from django.db import connection
    from django.test import Client, override_settings

    from applications.models import Application
    from services.models import Offering

    with override_settings(
        ROOT_URLCONF="bench.bench_applications",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MPP_SMS_BACKEND="accounts.sms.LocmemSmsGateway",
        CELERY_TASK_ALWAYS_EAGER=True,
    ):
        from config.celery_app import app as celery_app

        celery_app.conf.task_always_eager = True
        env = _setup()
        tenant, citizen, admin = env["tenant"], env["citizen"], env["admin"]
        connection.set_tenant(tenant)
        offering = Offering.objects.select_related("service_version").get(service_code="KK-UBAH")
        connection.set_schema_to_public()
        submit_rate, insert_rate = _submit_rate(tenant, citizen, _as_the_form_loads_it(tenant))
        if os.environ.get("MPP_BENCH_SUBMIT_ONLY"):  # iterate on the submit figure alone
            return _submit_results(tenant, submit_rate, insert_rate)
        total = _fill(tenant, citizen, offering)
        connection.set_schema_to_public()

        host = tenant.domains.get(is_primary=True).domain
        staff_client = Client(HTTP_HOST=host)
        staff_client.force_login(admin)
        _timed_get(staff_client, "/kelola/permohonan/", 3)
        _timed_get(staff_client, "/kelola/_bench/bare/", 3)
        worklist = _timed_get(staff_client, "/kelola/permohonan/", N_REQUESTS)
        bare_staff = _timed_get(staff_client, "/kelola/_bench/bare/", N_REQUESTS)
        worklist_where = _where(staff_client, "/kelola/permohonan/")
        bare_staff_where = _where(staff_client, "/kelola/_bench/bare/")

        anonymous = Client(HTTP_HOST=host)
        _timed_get(anonymous, "/layanan/", 3)
        t0 = time.perf_counter()
        _timed_get(anonymous, "/layanan/", N_REQUESTS)
        list_rps = N_REQUESTS / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        _timed_get(anonymous, "/_bench/bare/", N_REQUESTS)
        bare_rps = N_REQUESTS / (time.perf_counter() - t0)
        list_where = _where(anonymous, "/layanan/")
        bare_where = _where(anonymous, "/_bench/bare/")
        connection.set_tenant(tenant)
        open_count = Application.objects.exclude(status="draft").count()
        connection.set_schema_to_public()
        with tempfile.TemporaryDirectory(prefix="mpp-bench-media-") as media, \
                override_settings(MEDIA_ROOT=media):
            handoff_results = _handoffs(tenant, citizen)
        large = _worklist_large(tenant, citizen, offering, staff_client)
        connection.set_schema_to_public()

    conditions: dict[str, object] = {
        "tenant": tenant.slug, "client": "django.test.Client (in-process, full middleware)",
        "python": platform.python_version(), "cores": 1, "database": "PostgreSQL (bench DB)",
    }
    p95 = _percentile(worklist, 95)
    bare_p95 = _percentile(bare_staff, 95)
    return [
        *_submit_results(tenant, submit_rate, insert_rate),
        {"name": "worklist_p95_ms", "value": round(p95, 1), "unit": "ms",
         "conditions": {**conditions, "applications_in_tenant": open_count,
                        "filled_to": total, "requests": N_REQUESTS, "role": "tenant_admin",
                        "page_size": 25, "median_ms": round(statistics.median(worklist), 1),
                        "where_the_time_goes": worklist_where}},
        {"name": "worklist_100k_p95_ms", "value": round(_percentile(large["first"], 95), 1),
         "unit": "ms",
         "conditions": {**conditions, "applications_in_tenant": large["applications"],
                        "requests": N_REQUESTS, "role": "tenant_admin", "page_size": 25,
                        "pagination": "keyset (after=<cursor>), count capped at 1,000",
                        "median_ms": round(statistics.median(large["first"]), 1),
                        "target_ms": 40, "where_the_time_goes": large["where"]}},
        {"name": "worklist_100k_deep_page_p95_ms",
         "value": round(_percentile(large["deep"], 95), 1), "unit": "ms",
         "conditions": {**conditions, "applications_in_tenant": large["applications"],
                        "page": "41st (40 'Berikutnya' clicks, rows 1,001-1,025)",
                        "median_ms": round(statistics.median(large["deep"]), 1)}},
        {"name": "worklist_baseline_bare_view_p95_ms", "value": round(bare_p95, 1), "unit": "ms",
         "conditions": {**conditions, "path": "/kelola/_bench/bare/",
                        "where_the_time_goes": bare_staff_where}},
        {"name": "worklist_p95_ratio_vs_bare_view", "value": round(p95 / bare_p95, 2),
         "unit": "ratio", "conditions": {}},
        {"name": "portal_service_list_rps", "value": round(list_rps, 1), "unit": "1/s",
         "conditions": {**conditions, "path": "/layanan/", "requests": N_REQUESTS,
                        "user": "anonymous", "where_the_time_goes": list_where}},
        {"name": "portal_service_list_baseline_bare_view_rps", "value": round(bare_rps, 1),
         "unit": "1/s", "conditions": {**conditions, "path": "/_bench/bare/",
                                       "where_the_time_goes": bare_where}},
        {"name": "portal_service_list_ratio_vs_bare_view", "value": round(list_rps / bare_rps, 3),
         "unit": "ratio", "conditions": {}},
        *handoff_results,
    ]


if __name__ == "__main__":
    for metric in run():
        print(json.dumps(metric, ensure_ascii=False))
