"""Benchmarks of the applications app (run by `make bench`, bench database `mpp_bench`).

* ``application_submit_per_second`` (and ``application_submit_p95_ms``):
  ``applications.services.application_submit`` (create + validate + tracking code under an
  advisory lock + event + outbox rows; the notification tasks are *queued* on commit for the
  worker, as in production, to a filesystem broker folder of its own that nothing consumes),
  sequential, one process. Baseline: a bare insert of one row in a transaction through the
  ORM (``bare_insert_per_second``), and the ratio.
* ``worklist_p95_ms``: ``GET /kelola/permohonan/`` as a tenant admin with 10,000
  applications in one tenant, through the Django test Client (whole middleware stack:
  tenant routing, sessions, auth, back-office role check). Baseline: a bare view at
  ``/kelola/_bench/bare/`` through the same stack; ratio = worklist p95 / bare p95.
* ``portal_service_list_rps``: anonymous ``GET /layanan/`` (the portal's service list),
  baseline: anonymous bare view ``/_bench/bare/``; ratio = list rps / bare rps.

This module is also the URLconf used during the run (``urlpatterns`` below = the tenant
URLs + the bare view), so the baseline goes through exactly the same path.
"""

from __future__ import annotations

import json
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

N_APPLICATIONS = 10_000
N_SUBMITS = 150
N_REQUESTS = 60
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


def _fill(tenant: Any, citizen: Any, offering: Any) -> int:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from applications.models import Application

    with tenant_context(tenant):
        existing = Application.objects.exclude(status="draft").count()
        missing = N_APPLICATIONS - existing
        if missing <= 0:
            return existing
        now = timezone.now()
        states = ["on_track"] * 6 + ["at_risk", "breached", "paused", "not_started"]
        statuses = ["submitted", "in_verification", "in_process", "returned", "resubmitted"]
        batch: list[Application] = []
        for i in range(missing):
            state = states[i % len(states)]
            batch.append(Application(
                offering=offering, service_code=offering.service_code,
                service_version_id=offering.service_version_id, agency_id=offering.agency_id,
                applicant_id=citizen.pk, status=statuses[i % len(statuses)],
                tracking_code=f"3273-BENCH-0001-{uuid.uuid4().hex[:12].upper()}",
                submitted_at=now - timedelta(hours=i % 500),
                clock_started_at=None if state == "not_started" else now - timedelta(hours=1),
                due_at=None if state in {"paused", "not_started"}
                else now + timedelta(minutes=(i * 37) % 20_000 - 2_000),
                sla_state=state, form_data={"nama_pemohon": "Warga Bench"},
            ))
            if len(batch) == 2_000:
                Application.objects.bulk_create(batch)
                batch = []
        if batch:
            Application.objects.bulk_create(batch)
        return Application.objects.exclude(status="draft").count()


def _submit_rate(tenant: Any, citizen: Any, offering: Any) -> tuple[float, float]:
    from django.db import transaction
    from django_tenants.utils import tenant_context

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
                           offering=offering, form_data=form_data, documents=documents)
        timings = []
        with _queued_tasks():
            t0 = time.perf_counter()
            for _ in range(N_SUBMITS):
                started = time.perf_counter()
                application_submit(applicant=citizen, idempotency_key=uuid.uuid4().hex,
                                   offering=offering, form_data=form_data, documents=documents)
                timings.append((time.perf_counter() - started) * 1000)
            submit_rate = N_SUBMITS / (time.perf_counter() - t0)
        global _SUBMIT_P95_MS
        _SUBMIT_P95_MS = _percentile(timings, 95)
        from applications.models import Application

        anchor = Application.objects.exclude(status="draft").first()
        t0 = time.perf_counter()
        for _ in range(N_SUBMITS):
            with transaction.atomic():
                ApplicationEvent.objects.create(application=anchor, kind="comment", note="bench")
        bare_rate = N_SUBMITS / (time.perf_counter() - t0)
        ApplicationEvent.objects.filter(application=anchor, kind="comment", note="bench").delete()
    return submit_rate, bare_rate


_SUBMIT_P95_MS = 0.0


class _queued_tasks:
    """Celery tasks published (not run eagerly) to a throw-away filesystem broker folder."""

    def __enter__(self) -> None:
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

    def __exit__(self, *exc: object) -> None:
        (self.app.conf.task_always_eager, self.app.conf.broker_url,
         self.app.conf.broker_transport_options) = self.saved
        _reset_pool(self.app)
        self.folder.cleanup()


def _reset_pool(celery_app: Any) -> None:
    """Drop the producer pool so the next publish connects with the current broker settings."""
    celery_app._pool = None  # what Celery itself does after a fork (`Celery._after_fork`)
    celery_app.amqp._producer_pool = None


def _timed_get(client: Any, url: str, n: int) -> list[float]:
    timings = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return timings


def run() -> list[dict[str, object]]:
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
        submit_rate, insert_rate = _submit_rate(tenant, citizen, offering)
        total = _fill(tenant, citizen, offering)
        connection.set_schema_to_public()

        host = tenant.domains.get(is_primary=True).domain
        staff_client = Client(HTTP_HOST=host)
        staff_client.force_login(admin)
        _timed_get(staff_client, "/kelola/permohonan/", 3)
        _timed_get(staff_client, "/kelola/_bench/bare/", 3)
        worklist = _timed_get(staff_client, "/kelola/permohonan/", N_REQUESTS)
        bare_staff = _timed_get(staff_client, "/kelola/_bench/bare/", N_REQUESTS)

        anonymous = Client(HTTP_HOST=host)
        _timed_get(anonymous, "/layanan/", 3)
        t0 = time.perf_counter()
        _timed_get(anonymous, "/layanan/", N_REQUESTS)
        list_rps = N_REQUESTS / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        _timed_get(anonymous, "/_bench/bare/", N_REQUESTS)
        bare_rps = N_REQUESTS / (time.perf_counter() - t0)
        connection.set_tenant(tenant)
        open_count = Application.objects.exclude(status="draft").count()
        connection.set_schema_to_public()

    conditions: dict[str, object] = {
        "tenant": tenant.slug, "client": "django.test.Client (in-process, full middleware)",
        "python": platform.python_version(), "cores": 1, "database": "PostgreSQL (bench DB)",
    }
    p95 = _percentile(worklist, 95)
    bare_p95 = _percentile(bare_staff, 95)
    return [
        {"name": "application_submit_per_second", "value": round(submit_rate, 1), "unit": "1/s",
         "conditions": {**conditions, "submissions": N_SUBMITS,
                        "celery": "queued on commit (filesystem broker, not consumed)",
                        "includes": "validation, tracking code lock, event, 2 outbox rows, "
                                    "2 notification tasks published"}},
        {"name": "application_submit_p95_ms", "value": round(_SUBMIT_P95_MS, 1), "unit": "ms",
         "conditions": {**conditions, "submissions": N_SUBMITS}},
        {"name": "application_submit_baseline_bare_insert_per_second",
         "value": round(insert_rate, 1), "unit": "1/s",
         "conditions": {**conditions, "operation": "one ORM insert in a transaction"}},
        {"name": "application_submit_ratio_vs_bare_insert",
         "value": round(submit_rate / insert_rate, 3), "unit": "ratio", "conditions": {}},
        {"name": "worklist_p95_ms", "value": round(p95, 1), "unit": "ms",
         "conditions": {**conditions, "applications_in_tenant": open_count,
                        "filled_to": total, "requests": N_REQUESTS, "role": "tenant_admin",
                        "page_size": 25, "median_ms": round(statistics.median(worklist), 1)}},
        {"name": "worklist_baseline_bare_view_p95_ms", "value": round(bare_p95, 1), "unit": "ms",
         "conditions": {**conditions, "path": "/kelola/_bench/bare/"}},
        {"name": "worklist_p95_ratio_vs_bare_view", "value": round(p95 / bare_p95, 2),
         "unit": "ratio", "conditions": {}},
        {"name": "portal_service_list_rps", "value": round(list_rps, 1), "unit": "1/s",
         "conditions": {**conditions, "path": "/layanan/", "requests": N_REQUESTS,
                        "user": "anonymous"}},
        {"name": "portal_service_list_baseline_bare_view_rps", "value": round(bare_rps, 1),
         "unit": "1/s", "conditions": {**conditions, "path": "/_bench/bare/"}},
        {"name": "portal_service_list_ratio_vs_bare_view", "value": round(list_rps / bare_rps, 3),
         "unit": "ratio", "conditions": {}},
    ]


if __name__ == "__main__":
    for metric in run():
        print(json.dumps(metric, ensure_ascii=False))
