"""Management commands on a database that was never migrated (before the first `make run`)
end with one line saying what to run, not a traceback. A temporary empty database is created
on the test PostgreSQL server and a real `manage.py` subprocess is pointed at it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[1]


def _params(dbname: str) -> dict[str, object]:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None,
            "password": db["PASSWORD"] or None, "dbname": dbname}


@pytest.fixture
def fresh_database_url() -> Iterator[str]:
    db = settings.DATABASES["default"]
    name = f"mpp_fresh_{uuid.uuid4().hex[:10]}"
    maintenance = "postgres"  # any existing database will do for CREATE/DROP DATABASE
    with psycopg.connect(**_params(maintenance), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(str(db["HOST"] or ""), safe="")
    try:
        yield f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**_params(maintenance), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@pytest.mark.parametrize("command", [
    ["provision_tenant", "--region-code", "32.73"],
    ["seed_demo"],
])
def test_a_command_on_a_fresh_database_says_in_one_line_what_to_run(fresh_database_url, command):
    # given an empty database (no migrations applied)
    env = {**os.environ, "DATABASE_URL": fresh_database_url,
           "DJANGO_SETTINGS_MODULE": "config.settings.local", "PYTHONDONTWRITEBYTECODE": "1"}

    # when a management command that reads the tenant registry runs against it
    proc = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *command],
        env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False,
    )

    # then it fails with one clear line, no traceback
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("CommandError: Basis data belum disiapkan")
    assert "make run" in lines[0] and "deploy_migrate" in lines[0]
