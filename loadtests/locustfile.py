"""Locust scenario: a realistic read-mostly mix on two tenants, loopback only.

Run against a local server (never a shared or production host):

    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/gunicorn config.wsgi:application \
        -w 2 -b 127.0.0.1:8000 &
    .venv/bin/locust -f loadtests/locustfile.py --headless -u 20 -r 5 -t 60s \
        --host http://127.0.0.1:8000 --only-summary

Tenant hosts go in the Host header (glibc does not resolve *.localhost). Users log in with
`MPP_LOAD_EMAIL` / `MPP_LOAD_PASSWORD` (default: the demo citizen of `make run`). The service
directory `/layanan/` may answer 404 until that app lands: 404 is counted as expected there.
`make bench BENCH_ARGS=fleet` runs the same mix with a small threaded client (bench/fleet.py).
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

TENANT_HOSTS = os.environ.get(
    "MPP_LOAD_HOSTS", "kota-bandung.localhost,kab-sragen.localhost"
).split(",")
EMAIL = os.environ.get("MPP_LOAD_EMAIL", "warga@example.id")
PASSWORD = os.environ.get("MPP_LOAD_PASSWORD", os.environ.get("MPP_DEMO_PASSWORD", "demo-mpp-2026"))
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.init.add_listener
def _loopback_only(environment, **_kwargs) -> None:
    host = urlparse(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"loadtests run against loopback only, not {environment.host!r}")


class _TenantCitizen(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    tenant_host = TENANT_HOSTS[0]

    def _get(self, path: str, name: str, ok: tuple[int, ...] = (200,)):
        with self.client.get(path, headers={"Host": self.tenant_host}, name=name,
                             catch_response=True, allow_redirects=False) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{response.status_code}")
            return response

    def on_start(self) -> None:
        page = self._get("/masuk/", "login page")
        match = CSRF_RE.search(page.text or "")
        self.client.post(
            "/masuk/", name="login",
            data={"identifier": EMAIL, "password": PASSWORD,
                  "csrfmiddlewaretoken": match.group(1) if match else ""},
            headers={"Host": self.tenant_host, "Referer": f"http://{self.tenant_host}/masuk/"},
            allow_redirects=False,
        )

    @task(5)
    def portal_home(self) -> None:
        self._get("/", "portal home")

    @task(3)
    def service_directory(self) -> None:
        self._get("/layanan/", "/layanan/", ok=(200, 404))

    @task(1)
    def login_page(self) -> None:
        self._get("/masuk/", "login page")

    @task(2)
    def api_me(self) -> None:
        self._get("/api/v1/me/", "/api/v1/me/")


class BandungCitizen(_TenantCitizen):
    tenant_host = TENANT_HOSTS[0]


class SragenCitizen(_TenantCitizen):
    tenant_host = TENANT_HOSTS[-1]
