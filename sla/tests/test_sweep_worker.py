"""Crash safety of the SLA sweep with a REAL Celery worker (the approach of
tests/test_celery_worker.py): sweep, SIGKILL the worker in the middle of a large batch,
restart it and sweep twice more -> exactly one breach event per breach and one notification
per recipient; a tenant row without a schema fails, is reported, and stops nobody.

Data is committed by a helper process (the test's own writes would stay inside its
transaction, invisible to the worker); the fixture removes it afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

ROOT = Path(__file__).resolve().parents[2]
N_APPS = 1500
HEADS = 2

pytestmark = pytest.mark.worker


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{quote(s['HOST'] or '', safe='')}:{s['PORT']}/{s['NAME']}"


def setup_fleet(tag: str) -> dict:
    """Runs in a separate process (committed data the worker can see)."""
    from accounts.tests.factories import UserFactory
    from agencies.models import StaffRole
    from agencies.services import agency_create, staff_role_grant
    from applications.models import Application
    from services.services import offering_adopt
    from services.tests.factories import service_version
    from tenants.models import Tenant

    with schema_context("public"):
        tenant = Tenant.objects.get(region_code="33.14")
        broken = Tenant.objects.create(
            schema_name=f"broken_{tag}", slug=f"broken-{tag}", name=f"Kab Rusak {tag}",
            region_code="99.97", kind="kabupaten", province_code="99", state="live",
            is_ready=True,
        )
    version = service_version(code=f"T-SW{tag[:4].upper()}", category_code="IZN",
                              name="Layanan uji sapuan", sla_value=5)
    heads = [UserFactory(email=f"head{i}-{tag}@example.id") for i in range(HEADS)]
    citizen = UserFactory(email=f"warga-{tag}@example.id")
    now = timezone.now()
    with tenant_context(tenant):
        agency = agency_create(name=f"Dinas Uji Sapuan {tag}", short_name=f"DUS{tag}")
        offering = offering_adopt(service_version=version, agency=agency, channel="online",
                                  actor=None)
        for head in heads:
            staff_role_grant(user=head, role=StaffRole.Role.AGENCY_HEAD, agency=agency)
        Application.objects.bulk_create([
            Application(
                tracking_code=f"SW-{tag}-{i:05d}", offering=offering,
                service_code=offering.service_code, service_version_id=version.pk,
                agency=agency, applicant_id=citizen.pk, status="in_process",
                submitted_at=now - timedelta(days=20), clock_started_at=now - timedelta(days=20),
                due_at=now - timedelta(hours=1, seconds=i), at_risk_at=now - timedelta(days=3),
                sla_state="on_track", sla_reasons=["+1 hari: uji"], calendar_version=None,
            )
            for i in range(N_APPS)
        ], batch_size=1000)
    return {"tenant": tenant.pk, "broken": broken.pk, "offering_id": offering.pk,
            "agency_id": agency.pk, "version_id": version.pk, "service_code": version.service.code,
            "heads": sorted(h.pk for h in heads), "users": [*(h.pk for h in heads), citizen.pk]}


def teardown_fleet(data: dict) -> None:
    from accounts.models import User
    from agencies.models import Agency, StaffRole
    from applications.models import Application, ApplicationEvent, Notification
    from catalog.models import Service, ServiceVersion
    from monitoring.models import SweepRun, TenantSweepResult
    from services.models import Offering
    from sla.models import SlaPolicy
    from tenants.models import Tenant

    def wipe(queryset) -> None:  # no cascade collector: other apps' tables may lag behind
        queryset._raw_delete(queryset.db)

    tenant = Tenant.objects.get(pk=data["tenant"])
    with tenant_context(tenant):
        apps = Application.objects.filter(offering_id=data["offering_id"])
        wipe(Notification.objects.filter(application__in=apps))
        wipe(ApplicationEvent.objects.filter(application__in=apps))
        wipe(apps)
        wipe(StaffRole.objects.filter(agency_id=data["agency_id"]))
        wipe(SlaPolicy.objects.filter(offering_id=data["offering_id"]))
        wipe(Offering.objects.filter(pk=data["offering_id"]))
        wipe(Agency.objects.filter(pk=data["agency_id"]))
    with schema_context("public"):
        run_ids = list(TenantSweepResult.objects.filter(tenant_id=data["broken"])
                       .values_list("run_id", flat=True))
        SweepRun.objects.filter(pk__in=run_ids).delete()
        Tenant.objects.filter(pk=data["broken"]).delete()
        wipe(ServiceVersion.objects.filter(pk=data["version_id"]))
        wipe(Service.objects.filter(code=data["service_code"]))
        wipe(User.objects.filter(pk__in=data["users"]))


def _run_in_subprocess(env: dict[str, str], call: str) -> str:
    code = (
        "import json, django; django.setup(); import config.celery_app; "
        "from sla.tests import test_sweep_worker as m; " + call
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=False,
                          timeout=300, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-6000:]
    return done.stdout


@pytest.fixture
def worker_env(db, tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "CELERY_TASK_DEFAULT_QUEUE": f"sweep-{uuid.uuid4().hex[:8]}",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MPP_SLA_SWEEP_RETRY_SECONDS": "1",
        "PYTHONPATH": os.pathsep.join(  # plus the suite's own entries (tests/clock)
            filter(None, [str(ROOT / "platform"), str(ROOT), os.environ.get("PYTHONPATH")])
        ),
    }


@pytest.fixture
def fleet(worker_env):
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:6]
    out = _run_in_subprocess(worker_env, f"print(json.dumps(m.setup_fleet({tag!r})))")
    data = json.loads(out.strip().splitlines()[-1])
    with schema_context("public"):
        data["tenant"] = Tenant.objects.get(pk=data["tenant"])
        data["broken"] = Tenant.objects.get(pk=data["broken"])
    yield data
    plain = {**data, "tenant": data["tenant"].pk, "broken": data["broken"].pk}
    _run_in_subprocess(worker_env, f"m.teardown_fleet(json.loads({json.dumps(plain)!r}))")


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    # The real app, two tweaks for test speed only: the filesystem broker polls every 50 ms
    # instead of 1 s, and the notification *sending* tasks go to a queue nobody consumes
    # (the outbox rows are what this test counts; sending is the applications app's job).
    LAUNCH = (
        "import sys; from config.celery_app import app; "
        "app.conf.broker_transport_options = {**app.conf.broker_transport_options, "
        "'polling_interval': 0.05}; "
        "app.conf.task_routes = {'applications.tasks.*': {'queue': 'unconsumed-sink'}}; "
        "app.worker_main(sys.argv[1:])"
    )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.LAUNCH, "worker",
             "-Q", self.env["CELERY_TASK_DEFAULT_QUEUE"], "-c", "2", "-l", "info",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the children
        )

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def _dispatch(env: dict[str, str]) -> None:
    _run_in_subprocess(
        env, "from monitoring.tasks import sla_sweep_dispatch; "
        "sla_sweep_dispatch.apply_async(kwargs={'jitter_seconds': 0})",
    )


def _counts(fleet) -> dict[str, int]:
    from applications.models import Application, ApplicationEvent, Notification

    with tenant_context(fleet["tenant"]):
        apps = Application.objects.filter(offering_id=fleet["offering_id"])
        result = {
            "breached": apps.filter(sla_state="breached").count(),
            "events": ApplicationEvent.objects.filter(
                application__offering_id=fleet["offering_id"], kind="sla_breached").count(),
            "event_apps": ApplicationEvent.objects.filter(
                application__offering_id=fleet["offering_id"], kind="sla_breached"
            ).values("application_id").distinct().count(),
            "notifications": Notification.objects.filter(
                application__offering_id=fleet["offering_id"], kind="sla_breached").count(),
            "notification_keys": Notification.objects.filter(
                application__offering_id=fleet["offering_id"], kind="sla_breached"
            ).values("recipient_id", "application_id").distinct().count(),
        }
    connection.set_schema_to_public()
    return result


def _wait_for_run(after_id: int, tenant_ids: set[int], timeout: float = 240) -> object:
    from monitoring.models import SweepRun, TenantSweepResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SweepRun.objects.filter(pk__gt=after_id).order_by("-pk").first()
        if run is not None:
            done = TenantSweepResult.objects.filter(
                run=run, tenant_id__in=tenant_ids
            ).exclude(status="pending").count()
            if done == len(tenant_ids):
                return run
        time.sleep(0.3)
    statuses = list(TenantSweepResult.objects.filter(run=run).values_list(
        "tenant_id", "status", "attempts", "error")) if run else None
    raise AssertionError(f"the sweep run did not finish in time: {statuses}")


def _last_run_id() -> int:
    from monitoring.models import SweepRun

    return SweepRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_kill_mid_sweep_then_rerun_gives_exactly_once(fleet, worker_env, tmp_path):
    from monitoring.models import TenantSweepResult

    env = worker_env
    worker = Worker(env, tmp_path / "worker.log")
    watched = {fleet["tenant"].pk, fleet["broken"].pk}
    # the test's transaction sees what the worker commits (READ COMMITTED)
    try:
        # 1. sweep, and SIGKILL the worker once the first batch has committed
        first_run = _last_run_id()
        worker.start()
        _dispatch(env)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            seen = _counts(fleet)
            if seen["events"] > 0:
                break
            time.sleep(0.02)
        worker.kill()
        at_kill = _counts(fleet)
        assert 0 < at_kill["events"] < N_APPS, at_kill  # really mid-sweep
        # batch atomicity: state, events and notifications moved together
        assert at_kill["breached"] == at_kill["events"] == at_kill["event_apps"]
        assert at_kill["notifications"] == HEADS * at_kill["events"]

        # 2. restart, sweep again: the rest is swept, nothing twice
        worker.start()
        _dispatch(env)
        run = _wait_for_run(first_run, watched)
        # 3. and once more
        _dispatch(env)
        run = _wait_for_run(run.pk, watched)
    finally:
        worker.stop()
        print((tmp_path / "worker.log").read_text(errors="replace")[-6000:])
    final = _counts(fleet)
    results = {r.tenant_id: r for r in TenantSweepResult.objects.filter(run=run)}
    log = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert final == {
        "breached": N_APPS, "events": N_APPS, "event_apps": N_APPS,
        "notifications": HEADS * N_APPS, "notification_keys": HEADS * N_APPS,
    }, log
    # the broken tenant failed after its bounded retries and said why; the others did not
    assert results[fleet["broken"].pk].status == "failed", log
    assert results[fleet["broken"].pk].attempts == 3
    assert "does not exist" in results[fleet["broken"].pk].error
    assert results[fleet["tenant"].pk].status == "ok"
    assert results[fleet["tenant"].pk].breached == 0  # already swept by run 2
