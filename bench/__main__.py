"""`make bench`: run every `bench/bench_*.py` module's `run()` and print one JSON object per line.

Benchmarks run against their own database (`mpp_bench` on the same PostgreSQL server as the
default: embedded unless DATABASE_URL is set), so the demo data is never touched. Each result
is `{"name", "value", "unit", "conditions": {...}}`; a ratio against a baseline measured in the
same run is reported where one makes sense. Select modules: `make bench BENCH_ARGS="sla"`.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))
BENCH_DB = os.environ.get("MPP_BENCH_DB", "mpp_bench")


def _prepare_database() -> None:
    from config.devdb import ensure_database_url

    ensure_database_url()
    import environ
    import psycopg

    url = os.environ["DATABASE_URL"]
    cfg = environ.Env.db_url_config(url)
    from urllib.parse import unquote

    conninfo = {
        "host": unquote(str(cfg["HOST"])), "port": cfg["PORT"] or 5432,
        "user": cfg["USER"], "password": cfg["PASSWORD"], "dbname": cfg["NAME"],
    }
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    base, _sep, _name = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{BENCH_DB}"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    _prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("deploy_migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    wanted = set(argv)
    failures = 0
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        short = info.name.removeprefix("bench_")
        if wanted and short not in wanted and info.name not in wanted:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        started = time.perf_counter()
        try:
            for result in module.run():
                print(json.dumps(result, ensure_ascii=False), flush=True)
        except Exception:
            failures += 1
            traceback.print_exc()
            print(json.dumps({"name": f"{short}_error", "value": 1, "unit": "error"}), flush=True)
        print(
            json.dumps({"name": f"{short}_bench_wall_seconds",
                        "value": round(time.perf_counter() - started, 2), "unit": "s"}),
            file=sys.stderr,
        )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
