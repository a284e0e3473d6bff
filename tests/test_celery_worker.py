"""A task enqueued under tenant A runs under tenant A in a real worker process.

Runs against the filesystem broker always, and against Redis too when REDIS_URL is set
(.ci/run sets it where Redis answers on 127.0.0.1:6379)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import TenantHeartbeat

ROOT = Path(__file__).resolve().parents[1]

BROKERS = ["filesystem://"] + ([os.environ["REDIS_URL"]] if os.environ.get("REDIS_URL") else [])


def _test_database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"] or "", safe="")
    return f"postgres://{s['USER']}@{host}:{s['PORT']}/{s['NAME']}"


@pytest.mark.worker
@pytest.mark.parametrize("broker", BROKERS, ids=lambda b: b.split(":")[0])
def test_tasks_run_in_the_schema_that_sent_them(tenant_a, tenant_b, broker, tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_BROKER_DIR": str(tmp_path / "broker"),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PYTHONPATH": os.pathsep.join(  # plus the suite's own entries (tests/clock)
            filter(None, [str(ROOT / "platform"), str(ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    if broker.startswith("redis"):
        env["CELERY_RESULT_BACKEND"] = broker
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "-Q", queue,
         "-c", "2", "-l", "warning", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        probe = subprocess.run(
            [sys.executable, "-m", "tests.celery_probe"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=150, check=False,
        )
        assert probe.returncode == 0, probe.stderr[-3000:]
        report = json.loads(probe.stdout.strip().splitlines()[-1])
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert report["ran_in"] == {"kota_bandung": "kota_bandung", "kab_sragen": "kab_sragen"}
    assert report["dispatched"] == 2
    # the fan-out reached both tenants, each in its own schema (beat → worker → tenant)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with schema_context("public"):
            seen = dict(
                TenantHeartbeat.objects.filter(tenant__in=[tenant_a, tenant_b])
                .values_list("tenant__schema_name", "schema_seen")
            )
        if len(seen) == 2:
            break
        time.sleep(0.5)
    assert seen == {"kota_bandung": "kota_bandung", "kab_sragen": "kab_sragen"}
    with schema_context("public"):
        TenantHeartbeat.objects.filter(tenant__in=[tenant_a, tenant_b]).delete()
