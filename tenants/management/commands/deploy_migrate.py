"""Deploy-time migrations at 514-tenant scale.

1. Shared (public schema) migrations.
2. Tenant migrations only for the schemas whose stored fingerprint differs from the code's
   (one query when nothing is pending, instead of walking every schema), in parallel.
`--verify` additionally reads every schema's django_migrations (one UNION query per 100
schemas) and migrates any schema whose applied set does not match the code.
"""

from __future__ import annotations

import json
import multiprocessing
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_tenants.utils import schema_context

from tenants.migration_state import (
    applied_migrations_by_schema,
    code_fingerprint,
    code_migrations,
)
from tenants.models import Tenant


def _migrate_schema(schema_name: str) -> str | None:
    try:
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema_name,
            interactive=False, verbosity=0,
        )
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _migrate_one(schema_name: str) -> tuple[str, str | None]:
    """Pool worker (forked): migrate one schema, then drop this process's connections."""
    try:
        return schema_name, _migrate_schema(schema_name)
    finally:
        connections.close_all()


class _DeployLock:
    KEY = "mpp.deploy_migrate"

    def __init__(self) -> None:
        import psycopg

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        self.conn = psycopg.connect(**params, autocommit=True)

    def acquire(self) -> bool:
        row = self.conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [self.KEY]).fetchone()
        return bool(row and row[0])

    def release(self) -> None:
        try:
            self.conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [self.KEY])
        finally:
            self.conn.close()


class Command(BaseCommand):
    help = "Run shared migrations, then tenant migrations only where pending (in parallel)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--skip-shared", action="store_true")
        parser.add_argument("--verify", action="store_true")
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args: object, **options: object) -> None:
        # Two overlapping runs would migrate the same schemas twice ("already exists"). A
        # session-level advisory lock on a dedicated connection (the Django connections are
        # closed before the worker pool forks) makes the second run refuse instead.
        lock = _DeployLock()
        if not lock.acquire():
            raise CommandError("Another deploy_migrate is running on this database.")
        try:
            self._run(**options)
        finally:
            lock.release()

    def _run(self, **options: object) -> None:
        started = time.perf_counter()
        if not options["skip_shared"]:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        target = code_fingerprint()
        with schema_context("public"):
            tenants = list(
                Tenant.objects.exclude(schema_name="public")
                .filter(is_ready=True)
                .values_list("schema_name", "migrations_fingerprint")
            )
        pending = {schema for schema, fp in tenants if fp != target}
        if options["verify"]:
            expected = code_migrations()
            applied = applied_migrations_by_schema([schema for schema, _fp in tenants])
            pending |= {schema for schema, done in applied.items() if done != set(expected)}
        failures: dict[str, str] = {}
        if len(pending) == 1 or int(options["processes"]) <= 1:
            for schema in sorted(pending):  # in-process: no fork for a single schema
                error = _migrate_schema(schema)
                self._record(schema, error, target, failures)
        elif pending:
            connections.close_all()
            processes = max(1, min(int(options["processes"]), len(pending)))
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(processes, maxtasksperchild=50) as pool:
                for schema, error in pool.imap_unordered(_migrate_one, sorted(pending)):
                    self._record(schema, error, target, failures)
        summary = {
            "tenants": len(tenants),
            "migrated": len(pending) - len(failures),
            "failed": failures,
            "seconds": round(time.perf_counter() - started, 3),
        }
        self.stdout.write(json.dumps(summary))
        if failures:
            raise CommandError(f"{len(failures)} tenant schema(s) failed to migrate")

    @staticmethod
    def _record(schema: str, error: str | None, target: str, failures: dict[str, str]) -> None:
        if error:
            failures[schema] = error
            return
        with schema_context("public"):
            Tenant.objects.filter(schema_name=schema).update(migrations_fingerprint=target)
