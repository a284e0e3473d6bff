"""Helpers of the tenant-fleet benchmarks (bench/bench_fleet.py): the 514-tenant bench fleet,
catalogue counts, gunicorn + a small threaded HTTP load client.

Everything runs against the bench database (`mpp_bench`, set up by `bench/__main__.py`).
`python -m bench.fleet` only ensures the fleet exists (useful to pre-create it once).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLEET_SIZE = 514


def _state_file() -> Path:
    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "fleet_bulk.json"


# --- fleet ----------------------------------------------------------------------------------------


def national_codes() -> list[str]:
    from regions import reference

    return [regency.code for regency in reference.regencies()]


def ready_codes() -> set[str]:
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        return set(
            Tenant.objects.filter(is_ready=True)
            .exclude(schema_name="public")
            .values_list("region_code", flat=True)
        )


def _provision_chunk(codes: Sequence[str]) -> list[tuple[str, float, str | None]]:
    from django.db import connections

    from tenants.services import tenant_create_ready

    connections.close_all()  # never share the parent's socket
    out: list[tuple[str, float, str | None]] = []
    for code in codes:
        started = time.perf_counter()
        try:
            tenant_create_ready(region_code=code)
            error = None
        except Exception as exc:  # reported, the rest of the chunk goes on
            error = f"{type(exc).__name__}: {exc}"
        out.append((code, time.perf_counter() - started, error))
    connections.close_all()
    return out


def ensure_fleet(*, processes: int = 2, log: Callable[[str], None] | None = None) -> dict:
    """Provision every kab/kota of the national list that is not ready yet (idempotent).

    Returns the figures of the run that created the tenants; when nothing was missing, the
    figures stored by the run that did (`.data/bench/fleet_bulk.json`).
    """
    from django.db import connections

    say = log or (lambda _msg: None)
    codes = national_codes()
    missing = [code for code in codes if code not in ready_codes()]
    state_file = _state_file()
    if not missing:
        stored = json.loads(state_file.read_text()) if state_file.exists() else {}
        return {**stored, "created_now": 0, "present": len(codes)}
    say(f"provisioning {len(missing)} tenants with {processes} processes")
    connections.close_all()
    # Interleave so that both workers get a similar mix of early/late codes.
    chunks = [missing[i::processes] for i in range(processes)]
    # Smaller tasks keep both workers busy until the end.
    tasks = [chunk[i : i + 16] for chunk in chunks for i in range(0, len(chunk), 16)]
    started = time.perf_counter()
    durations: list[float] = []
    errors: dict[str, str] = {}
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, maxtasksperchild=8) as pool:
        for result in pool.imap_unordered(_provision_chunk, tasks):
            for code, seconds, error in result:
                durations.append(seconds)
                if error:
                    errors[code] = error
            say(f"  {len(durations)}/{len(missing)} after {time.perf_counter() - started:.0f} s")
    wall = time.perf_counter() - started
    figures = {
        "created": len(missing) - len(errors),
        "errors": errors,
        "wall_seconds": round(wall, 2),
        "wall_seconds_per_tenant": round(wall / len(missing), 4),
        "mean_provision_seconds": round(statistics.fmean(durations), 4),
        "median_provision_seconds": round(statistics.median(durations), 4),
        "processes": processes,
        "tenants_before": len(codes) - len(missing),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if not errors:
        state_file.write_text(json.dumps(figures))
    return {**figures, "created_now": len(missing) - len(errors), "present": len(codes)}


# --- catalogue ------------------------------------------------------------------------------------


def schema_object_counts(schema_name: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s GROUP BY c.relkind",
            [schema_name],
        )
        kinds = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_class")
        total = cursor.fetchone()[0]
    return {
        "tables": kinds.get("r", 0) + kinds.get("p", 0),
        "indexes": kinds.get("i", 0),
        "sequences": kinds.get("S", 0),
        "pg_class_rows": total,
    }


# --- HTTP load ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port: int, path: str = "/healthz", host: str = "localhost", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
            with urllib.request.urlopen(request, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port}{path}")


def start_gunicorn(
    *, app: str, port: int, workers: int, env: dict[str, str], log_path: Path
) -> subprocess.Popen:
    log = log_path.open("wb")
    return subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", app, "-w", str(workers),
            "-b", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "warning",
            "--chdir", str(ROOT),
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@dataclass(frozen=True)
class Step:
    """One request of a scenario: method, path, Host header, expected statuses, optional body."""

    name: str
    method: str
    path: str
    host: str
    expect: tuple[int, ...] = (200,)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    by_step: dict[str, dict[str, float]]
    unexpected: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]


def _send(opener: urllib.request.OpenerDirector, port: int, step: Step,
          extra: dict[str, str]) -> int:
    """One request of a step; its HTTP status (0 when the connection failed)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{step.path}", data=step.body, method=step.method,
        headers={"Host": step.host, **step.headers, **extra},
    )
    try:
        with opener.open(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0


def run_load(
    *, port: int, steps: Sequence[Step], users: int, seconds: float,
    session_setup: Callable[[urllib.request.OpenerDirector, int], dict[str, str]] | None = None,
    barrier: threading.Barrier | None = None,
) -> LoadResult:
    """Closed-loop load: `users` threads each walk `steps` in a loop for `seconds`.

    Each user has its own cookie jar (an OpenerDirector); `session_setup(opener, user_index)`
    may log in and return extra headers for that user. The sign-ins and one warm-up walk of
    the steps per user happen before the clock starts (a sign-in hashes a password, and a
    worker's first requests import and compile what it serves: neither is the steady state
    being measured). Loads run side by side pass one `barrier`, so their clocks start
    together. Loopback only.
    """
    import http.cookiejar

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    sessions: list[tuple[urllib.request.OpenerDirector, dict[str, str]]] = []
    for index in range(users):
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        extra = session_setup(opener, index) if session_setup else {}
        for step in steps:
            _send(opener, port, step, extra)
        sessions.append((opener, extra))

    if barrier is not None:
        barrier.wait()
    lock = threading.Lock()
    latencies: list[float] = []
    per_step: dict[str, list[float]] = {step.name: [] for step in steps}
    unexpected: dict[str, int] = {}
    errors = 0
    stop_at = time.monotonic() + seconds
    count = 0

    def user(index: int) -> None:
        nonlocal errors, count
        opener, extra = sessions[index]
        local: list[tuple[str, float, int]] = []
        local_errors = 0
        i = index  # users start at different steps
        while time.monotonic() < stop_at:
            step = steps[i % len(steps)]
            i += 1
            started = time.perf_counter()
            status = _send(opener, port, step, extra)
            elapsed = time.perf_counter() - started
            if status not in step.expect:
                local_errors += 1
            local.append((step.name, elapsed, status))
        with lock:
            errors += local_errors
            count += len(local)
            for name, elapsed, status in local:
                latencies.append(elapsed)
                per_step[name].append(elapsed)
                key = f"{name}:{status}"
                step_expect = next(s.expect for s in steps if s.name == name)
                if status not in step_expect:
                    unexpected[key] = unexpected.get(key, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    by_step = {
        name: {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1) if values else 0.0,
        }
        for name, values in per_step.items()
    }
    return LoadResult(count, errors, elapsed, latencies, by_step, unexpected)


def _main() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.__main__ import _prepare_database

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    _prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("deploy_migrate", verbosity=0)
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    print(json.dumps(ensure_fleet(log=lambda m: print(m, flush=True))), flush=True)


if __name__ == "__main__":
    _main()
