"""Helpers of the browser journeys (Playwright + Debian's chromium).

`BrowserServer`: a real `manage.py runserver --noreload` subprocess on a free port against a
throwaway database on the same PostgreSQL server as the default (derived like
bench/__main__.py), migrated with `deploy_migrate`, with `config.settings.test` (Celery
eager, locmem email) and its own MPP_DATA_DIR; dropped at the end. The first `migrate()` of a
test run migrates a template database once; every later one is a `CREATE DATABASE … TEMPLATE`
copy of it (≈ 1 s instead of ≈ 13 s per journey), dropped when the run ends.
`launch_chromium(playwright)`: Chromium with the flags that work on this machine; it resolves
`*.localhost` to loopback by itself.
`serving(prefix, setup)`: the module fixture's body (migrate, run the journey's setup code
after `SETUP_PRELUDE`, start, always stop). `sign_in(page, server, email, password)`: the
sign-in form, as a person fills it in.

Tests using these helpers are skipped (with the reason) when the playwright package or
/usr/bin/chromium is missing: call `require_browser()` at module level.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_browser() -> None:
    """Skip the calling test module unless Playwright and Debian's chromium are present."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright package is not installed", allow_module_level=True)
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)",
                    allow_module_level=True)


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_conninfo() -> tuple[dict[str, object], str]:
    """libpq parameters of the default server (as bench/__main__.py derives them) + its URL."""
    sys.path.insert(0, str(ROOT / "platform"))
    from config.devdb import ensure_database_url

    ensure_database_url()
    import environ

    url = os.environ["DATABASE_URL"]
    cfg = environ.Env.db_url_config(url)
    return {
        "host": unquote(str(cfg["HOST"])), "port": cfg["PORT"] or 5432,
        "user": cfg["USER"], "password": cfg["PASSWORD"], "dbname": cfg["NAME"],
    }, url


_TEMPLATE: dict[str, object] = {}


def _drop_template() -> None:
    server = _TEMPLATE.pop("server", None)
    if server is not None:
        server.stop()  # type: ignore[attr-defined]


def _migrated_template() -> BrowserServer:
    """A database (and data dir) migrated like `mpp_run` does, built once per test run."""
    if "server" not in _TEMPLATE:
        template = BrowserServer(prefix="mpp_tpl")
        template.data_dir.mkdir(parents=True, exist_ok=True)
        template.manage("deploy_migrate")
        template.manage("createcachetable")
        _TEMPLATE["server"] = template
        atexit.register(_drop_template)
    return _TEMPLATE["server"]  # type: ignore[return-value]


class BrowserServer:
    """A throwaway database + a runserver process. `shell(code)` runs Python with the
    server's settings (`manage.py shell -c`) for setup steps and out-of-band reads."""

    def __init__(self, prefix: str = "mpp_browser") -> None:
        import psycopg

        self.db = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.conninfo, url = admin_conninfo()
        with psycopg.connect(**self.conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db}"')
        base, _sep, _name = url.rpartition("/")
        self.port = free_port()
        self.data_dir = Path(f"/tmp/{self.db}")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{base}/{self.db}",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "MPP_BASE_PORT": str(self.port),
            "MPP_DATA_DIR": str(self.data_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = None
        self.setup_output = ""

    def manage(self, *args: str, timeout: int = 900) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).strip()

    def migrate(self) -> None:
        """What mpp_run does first (deploy_migrate + createcachetable), as a copy of the run's
        migrated template: no connection is open on the template between its commands."""
        import psycopg

        template = _migrated_template()
        with psycopg.connect(**self.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{self.db}"')
            conn.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{template.db}"')
        shutil.copytree(template.data_dir, self.data_dir, dirs_exist_ok=True)

    def start(self) -> None:
        self.log = open(self.data_dir / "server.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("runserver did not start")

    def stop(self) -> None:
        import psycopg

        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.log is not None:
            self.log.close()
        with psycopg.connect(**self.conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def server_log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""

    def url(self, path: str, host: str = "localhost") -> str:
        return f"http://{host}:{self.port}{path}"


# What every journey's setup starts with (run by `manage.py shell -c` in the server's
# settings): the public tenant, the national catalogue, and `live_tenant(code)`, which
# provisions a regency by its Kemendagri code and opens its portal.
SETUP_PRELUDE = """
from django.utils import timezone
from django_tenants.utils import tenant_context
from accounts.models import User
from catalog.seeding import seed_catalog
from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create_ready, tenant_set_state
public_tenant_ensure()
seed_catalog()
def live_tenant(code):
    tenant = tenant_create_ready(region_code=code)
    if tenant.state != Tenant.State.LIVE:
        tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
    return tenant
"""


@contextlib.contextmanager
def serving(prefix: str, setup: str | None = None, *,
            prelude: bool = True) -> Iterator[BrowserServer]:
    """A started server for one journey module. `setup` runs after `SETUP_PRELUDE` (unless
    `prelude=False`) and must print a last line starting with "ok" (kept in
    `server.setup_output`)."""
    srv = BrowserServer(prefix=prefix)
    try:
        srv.migrate()
        if setup is not None:
            out = srv.shell((SETUP_PRELUDE if prelude else "") + setup).splitlines()
            last = out[-1] if out else ""
            assert last.startswith("ok"), "\n".join(out[-20:])
            srv.setup_output = last
        srv.start()
        yield srv
    finally:
        srv.stop()


def sign_in(page, server: BrowserServer, email: str,  # type: ignore[no-untyped-def]
            password: str, *, host: str = "localhost", next_path: str | None = None,
            local: bool = False) -> None:
    """Fill in the sign-in form on `host` and check it let the person in. `local=True` asks a
    regency host for its own form (`?lokal=1`) instead of the platform's one login."""
    query = [("lokal", "1")] if local else []
    if next_path is not None:
        query.append(("next", next_path))
    suffix = "?" + "&".join(f"{k}={quote(v, safe='/')}" for k, v in query) if query else ""
    page.goto(server.url(f"/masuk/{suffix}", host))
    page.fill("input[name=identifier]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert "/masuk/" not in page.url, f"{email} could not sign in ({page.url})"
