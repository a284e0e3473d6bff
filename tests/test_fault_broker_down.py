"""Fault test: the Celery broker is down while a citizen submits, then comes back.

Real components throughout, no mocks:

1. **Broker down.** The in-process Celery app is pointed at a Redis that refuses connections
   (``redis://127.0.0.1:1/0``) for both the broker and the result backend, exactly as
   production is configured when Redis is the broker (base settings: result backend = broker
   URL), with eager mode off and the production publish retry policy (no test-only fail-fast
   knobs). A citizen submits through the real web page (test client, real upload). The
   request runs in a thread with its own autocommit connection, so the submission really
   commits and the outbox's ``on_commit`` dispatch really tries to publish. Asserted: 302 to
   the receipt within a few seconds, the application has its tracking code and events, the
   receipt page shows the code, the publish failure was logged (not raised), and one outbox
   row per channel (email, SMS) is ``queued``.
2. **Recovery.** A real worker subprocess starts on a working (filesystem) broker against the
   test database, and the beat entry ``notifications_flush_dispatch`` is sent through it.
   The rows' ``created_at`` is moved two minutes back first: the flush only picks up rows
   older than ``FLUSH_AFTER`` (1 min), i.e. this stands for an outage longer than a minute.
   Asserted: every queued row becomes ``sent`` after one attempt, the worker delivered exactly
   one email and one SMS (counted from the worker's file email backend and a file SMS
   gateway), and a second flush through the worker sends nothing more.

The worker cannot see rows inside the test's transaction, so everything lives in a throwaway
tenant (Kota Yogyakarta) created and dropped by the test, as hall/tests/test_concurrency.py
does; the session tenants are never written to.
"""

from __future__ import annotations

import email
import email.message
import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.threads import in_thread

ROOT = Path(__file__).resolve().parents[1]
THROWAWAY_REGION = "34.71"  # Kota Yogyakarta: not used by any other test
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
SUBMIT_BUDGET_SECONDS = 5.0  # a citizen must not wait on a dead broker
SMS_FILE_ENV = "MPP_TEST_SMS_FILE"


class FileSmsGateway:
    """SMS gateway for the worker subprocess: one JSON line per message (MPP_SMS_BACKEND)."""

    def send(self, message: Any) -> None:
        with open(os.environ[SMS_FILE_ENV], "a", encoding="utf-8") as out:
            out.write(json.dumps({"to": message.to, "message": message.message}) + "\n")


# --------------------------------------------------------------------------- helpers


@contextmanager
def celery_conf(**conf: Any) -> Iterator[Any]:
    """Repoint the process's Celery app, then restore it. The pooled broker connections are
    dropped as Celery itself does after a fork, so the next publish uses the new URL; the
    result backend is per thread and built on first use (each step runs in a new thread)."""
    from config.celery_app import app

    def drop_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    saved = {key: app.conf[key] for key in conf}
    app.conf.update(conf)
    drop_pools()
    try:
        yield app
    finally:
        app.conf.update(saved)
        drop_pools()


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    return f"postgres://{s['USER']}@{quote(s['HOST'] or '', safe='')}:{s['PORT']}/{s['NAME']}"


def _filesystem_broker(folder: Path) -> dict[str, Any]:
    for sub in ("queue", "processed", "control", "results"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        },
        "result_backend": f"file://{folder / 'results'}",
    }


# --------------------------------------------------------------------------- committed data


def _create_world(tag: str) -> dict[str, Any]:
    from django.utils import timezone
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import CitizenProfile
    from accounts.tests.factories import UserFactory
    from applications.tests.conftest import make_offering
    from tenants.models import Tenant
    from tenants.services import tenant_create_ready, tenant_set_state

    with schema_context("public"):
        leftover = Tenant.objects.filter(region_code=THROWAWAY_REGION).first()
    if leftover is not None:  # from an interrupted run
        _drop_world({"tenant": leftover.pk, "users": []})
    tenant = tenant_create_ready(region_code=THROWAWAY_REGION)
    tenant = tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
    make_offering(tenant, tenant_context, code="KK-UBAH",
                  agency_name="Dinas Kependudukan dan Pencatatan Sipil", short="Disdukcapil")
    with schema_context("public"):
        citizen = UserFactory(email=f"warga-{tag}@example.id", phone=f"62812{tag[:8]}",
                              email_verified_at=timezone.now())
        CitizenProfile.objects.create(
            user=citizen, nik=f"34710141019{int(tag, 16) % 10**5:05d}", birth_place="Yogyakarta",
            sex="P", address="Jl. Malioboro 1",
        )
        host = tenant.domains.get(is_primary=True).domain
    return {"tenant": tenant.pk, "host": host, "citizen": citizen.pk,
            "email": citizen.email, "phone": citizen.phone, "users": [citizen.pk]}


def _drop_world(world: dict[str, Any]) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import CitizenProfile, User
    from audit.models import AuditEvent
    from tenants.models import Tenant
    from vault.models import Access, Document, Share

    def wipe(queryset: Any) -> None:  # no cascade collector: tenant tables are not in public
        queryset._raw_delete(queryset.db)

    with schema_context("public"):
        tenant = Tenant.objects.filter(pk=world["tenant"]).first()
        if tenant is not None:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
            Tenant.objects.filter(pk=tenant.pk).delete()
        wipe(CitizenProfile.objects.filter(user_id__in=world["users"]))
        for model in (Access, Share, Document):  # the citizen's vault (public schema)
            wipe(model.objects.filter(owner_id__in=world["users"]))
        AuditEvent.objects.filter(actor_id__in=world["users"]).update(actor=None)
        wipe(User.objects.filter(pk__in=world["users"]))


def _tenant(world: dict[str, Any]) -> Any:
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        return Tenant.objects.get(pk=world["tenant"])


def _state(world: dict[str, Any]) -> dict[str, Any]:
    from django_tenants.utils import tenant_context

    from applications.models import Application, ApplicationEvent, Notification

    with tenant_context(_tenant(world)):
        apps = list(Application.objects.filter(applicant_id=world["citizen"]))
        return {
            "applications": [(a.pk, a.status, a.tracking_code) for a in apps],
            "events": sorted(
                (e.kind, e.to_status) for e in
                ApplicationEvent.objects.filter(application__in=apps)
            ),
            "notifications": sorted(
                (n.channel, n.status, n.attempts, n.sent_at is not None, n.kind)
                for n in Notification.objects.filter(recipient_id=world["citizen"])
            ),
        }


def _age_outbox(world: dict[str, Any]) -> int:
    """The outage lasted longer than FLUSH_AFTER: move the queued rows' creation back."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from applications.models import Notification
    from applications.notifications import FLUSH_AFTER

    with tenant_context(_tenant(world)):
        return Notification.objects.filter(
            recipient_id=world["citizen"], status=Notification.State.QUEUED
        ).update(created_at=timezone.now() - FLUSH_AFTER - timedelta(minutes=1))


# --------------------------------------------------------------------------- the worker


class Worker:
    # The real app; for test speed only, the filesystem broker polls every 100 ms, not 1 s.
    LAUNCH = (
        "import sys; from config.celery_app import app; "
        "app.conf.broker_transport_options = {**app.conf.broker_transport_options, "
        "'polling_interval': 0.1}; "
        "app.worker_main(sys.argv[1:])"
    )

    def __init__(self, env: dict[str, str], queue: str, log: Path) -> None:
        self.env, self.queue, self.log = env, queue, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.LAUNCH, "worker", "-Q", self.queue, "-c", "2",
             "-l", "info", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a hung stop() kills the children
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # warm shutdown: the main process stops its pool
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _emails(folder: Path) -> list[email.message.Message]:
    """Messages written by Django's file email backend (each ends with a line of 79 '-')."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def _sms(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------- the test


@pytest.fixture
def world(db) -> Iterator[dict[str, Any]]:
    data = in_thread(lambda: _create_world(uuid.uuid4().hex[:8]))
    yield data
    in_thread(lambda: _drop_world(data))


@pytest.mark.worker
@pytest.mark.django_db
def test_broker_down_submission_succeeds_and_the_outbox_is_sent_once_after_recovery(
    world, tmp_path, caplog
):
    from django.test import Client
    from django_tenants.utils import schema_context, tenant_context
    from kombu.exceptions import OperationalError

    from applications.tasks import notifications_flush, notifications_flush_dispatch
    from applications.tests.conftest import PDF_BYTES, kk_form_data, upload

    # ---- 1. broker (and result store) down: submit through the real web page
    def submit() -> dict[str, Any]:
        from accounts.models import User

        client = Client(HTTP_HOST=world["host"], raise_request_exception=True)
        with schema_context("public"):
            client.force_login(User.objects.get(pk=world["citizen"]))
        data = {**kk_form_data(), "idempotency_key": uuid.uuid4().hex, "action": "submit",
                "upload_kk_lama": upload(PDF_BYTES, "kk.pdf"),
                "upload_bukti_perubahan": upload(PDF_BYTES, "ijazah.pdf"),
                "share_consent": "1"}  # agreed to share them (the consent screen, ADR 0013)
        started = time.monotonic()
        response = client.post("/permohonan/baru/KK-UBAH/", data)
        elapsed = time.monotonic() - started
        receipt = client.get(response["Location"]) if response.status_code == 302 else None
        return {"status": response.status_code, "location": response.get("Location", ""),
                "elapsed": elapsed, "receipt_status": getattr(receipt, "status_code", None),
                "receipt": receipt.content.decode() if receipt is not None else ""}

    with caplog.at_level(logging.WARNING, logger="applications.notifications"), \
            celery_conf(broker_url=DEAD_BROKER, result_backend=DEAD_BROKER,
                        task_always_eager=False):
        outcome = in_thread(submit)
    not_dispatched = [r for r in caplog.records if "not dispatched" in r.getMessage()]

    assert outcome["status"] == 302, outcome
    assert "/tanda-terima/" in outcome["location"]
    assert outcome["elapsed"] < SUBMIT_BUDGET_SECONDS, (
        f"the submission waited {outcome['elapsed']:.1f} s on the dead broker")
    assert not_dispatched, "the publish did not reach the (dead) broker"
    assert len(not_dispatched) == 1  # one publish for both rows (issue 14), refused
    assert all(isinstance(r.exc_info[1], OperationalError) for r in not_dispatched)
    down = in_thread(lambda: _state(world))
    [(app_pk, status, tracking_code)] = down["applications"]
    assert status == "submitted" and tracking_code
    assert outcome["receipt_status"] == 200 and tracking_code in outcome["receipt"]
    assert ("transition", "submitted") in down["events"]
    # nothing lost: one outbox row per channel, still queued, never attempted
    assert down["notifications"] == [
        ("email", "queued", 0, False, "status:submitted"),
        ("sms", "queued", 0, False, "status:submitted"),
    ]

    # ---- 2. recovery: a real worker on a working broker; the beat entry flushes the outbox
    assert in_thread(lambda: _age_outbox(world)) == 2
    broker = _filesystem_broker(tmp_path / "broker")
    mail_dir, sms_file = tmp_path / "mail", tmp_path / "sms.jsonl"
    from config.celery_app import app

    queue = app.conf.task_default_queue  # the broker folder is private to this test
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _database_url(),
        "MPP_DATA_DIR": str(tmp_path / "data"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "CELERY_RESULT_BACKEND": broker["result_backend"],
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "MPP_SMS_BACKEND": f"{__name__}.FileSmsGateway",
        SMS_FILE_ENV: str(sms_file),
        "PYTHONPATH": os.pathsep.join(  # plus the suite's own entries (tests/clock)
            filter(None, [str(ROOT / "platform"), str(ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    worker = Worker(env, queue, tmp_path / "worker.log")
    worker.start()
    try:
        with celery_conf(**broker, task_always_eager=False):

            def beat_tick() -> int:  # what beat sends every minute, from the public schema
                with schema_context("public"):
                    result = notifications_flush_dispatch.apply_async(
                        kwargs={"jitter_seconds": 0})
                    return result.get(timeout=60)

            assert in_thread(beat_tick) >= 1, worker.tail()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                after = in_thread(lambda: _state(world))
                if all(n[1] != "queued" for n in after["notifications"]):
                    break
                time.sleep(0.2)

            def flush_again() -> int:  # a second flush in the tenant: nothing left to send
                with tenant_context(_tenant(world)):
                    return notifications_flush.apply_async().get(timeout=60)

            assert in_thread(flush_again) == 0, worker.tail()
    finally:
        worker.stop()

    after = in_thread(lambda: _state(world))
    assert after["notifications"] == [
        ("email", "sent", 1, True, "status:submitted"),
        ("sms", "sent", 1, True, "status:submitted"),
    ], worker.tail()
    emails, sms = _emails(mail_dir), _sms(sms_file)
    assert len(emails) == 1, [m["Subject"] for m in emails]
    assert emails[0]["To"] == world["email"]
    assert tracking_code in str(make_header(decode_header(emails[0]["Subject"])))
    assert len(sms) == 1 and sms[0]["to"] == world["phone"]
    assert tracking_code in sms[0]["message"]
    assert after["applications"] == [(app_pk, "submitted", tracking_code)]
