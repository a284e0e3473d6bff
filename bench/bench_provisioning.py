"""Three ways to build one tenant schema, measured in the same run (`make bench BENCH_ARGS=provisioning`).

Against the bench database, with whatever tenants it holds (the count is in the conditions):
- `provision_schema_migrate_seconds`: `migrate_schemas --schema X` on an empty schema (what
  django-tenants does without a base schema).
- `provision_schema_replay_seconds`: tenants.schema_recipe replaying the recorded DDL, with the
  shape check it runs after every replay.
- `provision_schema_clone_seconds`: django-tenants' `TENANT_BASE_SCHEMA` path as
  `TenantMixin.create_schema` runs it: `CloneSchema.clone_schema(base, new, "DATA")` from a
  migrated base schema, then `migrate_schemas --fake`. `..._clone_only_seconds` is the clone alone.
  The first clone (it installs the PL/pgSQL `clone_schema` function) is not counted.
- `provision_schema_{replay,clone}_matches_migrated`: 1 when the schema it built has the same
  shape (tenants.schema_recipe.schema_shape: columns, indexes, constraints, sequences, ...) as a
  migrated one; the rows that differ, per part, are in the conditions (`differing_rows`).
- `provision_schema_shape_check_seconds`: the shape digest every replay is checked against.
Medians; ratios against the replay. Schema building only: the seeding that follows is the same
for all three and is in bench `fleet` (`tenant_provision_seconds`).
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time
from collections.abc import Callable

SAMPLES = int(os.environ.get("MPP_BENCH_PROVISION_SAMPLES", "5"))
MIGRATE_SAMPLES = max(1, min(SAMPLES, 3))
BASE = "bench_prov_base"
PREFIX = "bench_prov_"


def _sql(statement: str) -> None:
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(statement)


def _drop(name: str) -> None:
    _sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _fresh(name: str) -> None:
    _drop(name)
    _sql(f'CREATE SCHEMA "{name}"')


def _migrate(name: str, *, fake: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", tenant=True, schema_name=name, fake=fake,
                 interactive=False, verbosity=0, stdout=io.StringIO())


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _differences(name: str, reference: dict) -> dict[str, int]:
    """Per part of the shape: how many rows are in one schema and not in the other."""
    from tenants.schema_recipe import schema_shape

    shape = schema_shape(name)
    return {
        part: len(set(rows) ^ set(shape.get(part, [])))
        for part, rows in reference.items() if set(rows) != set(shape.get(part, []))
    }


def _conditions(**extra: object) -> dict[str, object]:
    from importlib.metadata import version

    import django
    from django.db import connection
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        tenants = Tenant.objects.exclude(schema_name="public").count()
    return {
        "postgres": server, "python": platform.python_version(), "cpus": os.cpu_count(),
        "django": django.__version__, "django_tenants": version("django-tenants"),
        "tenants_in_db": tenants, "statistic": "median", **extra,
    }


def run() -> list[dict[str, object]]:
    from django.db import connection
    from django_tenants.clone import CloneSchema
    from django_tenants.utils import schema_context

    from tenants.migration_state import recipe_key
    from tenants.models import SchemaRecipe
    from tenants.schema_recipe import _migrate_and_record, _replay, schema_shape, shape_digest

    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [PREFIX + "%"])
        for (leftover,) in cursor.fetchall():
            _drop(leftover)

    # the base schema: migrated normally (records the recipe if this code has none yet)
    _fresh(BASE)
    _migrate_and_record(BASE, recipe_key())
    with schema_context("public"):
        recipe = SchemaRecipe.objects.get(fingerprint=recipe_key())
    reference = schema_shape(BASE)

    migrate_s, replay_s, clone_s, clone_only_s = [], [], [], []
    replay_diff: dict[str, int] = {}
    clone_diff: dict[str, int] = {}
    for index in range(MIGRATE_SAMPLES):
        name = f"{PREFIX}m{index}"
        _fresh(name)
        migrate_s.append(_timed(lambda name=name: _migrate(name)))
        _drop(name)

    for index in range(SAMPLES):
        name = f"{PREFIX}r{index}"
        _fresh(name)
        replay_s.append(_timed(lambda name=name: _replay(name, recipe)))
        replay_diff.update(_differences(name, reference))
        _drop(name)

    cloner = CloneSchema()
    cloner.clone_schema(BASE, f"{PREFIX}warmup", "DATA")  # installs the clone_schema function
    _drop(f"{PREFIX}warmup")
    for index in range(SAMPLES):
        name = f"{PREFIX}c{index}"
        started = time.perf_counter()
        cloner.clone_schema(BASE, name, "DATA")
        clone_only_s.append(time.perf_counter() - started)
        _migrate(name, fake=True)
        clone_s.append(time.perf_counter() - started)
        clone_diff.update(_differences(name, reference))
        _drop(name)
    shape_s = [_timed(lambda: shape_digest(BASE)) for _ in range(SAMPLES)]
    _drop(BASE)
    connection.set_schema_to_public()

    replay, clone, migrate = (statistics.median(v) for v in (replay_s, clone_s, migrate_s))
    cond = {"tables": recipe.table_count, "statements": len(recipe.statements)}

    def result(name: str, value: float, unit: str, **extra: object) -> dict[str, object]:
        return {"name": name, "value": value, "unit": unit,
                "conditions": _conditions(**cond, **extra)}

    return [
        result("provision_schema_migrate_seconds", round(migrate, 3), "s", runs=len(migrate_s)),
        result("provision_schema_replay_seconds", round(replay, 3), "s", runs=len(replay_s)),
        result("provision_schema_clone_seconds", round(clone, 3), "s", runs=len(clone_s),
               clone_mode="DATA", then="migrate_schemas --fake"),
        result("provision_schema_clone_only_seconds", round(statistics.median(clone_only_s), 3),
               "s", runs=len(clone_only_s), clone_mode="DATA"),
        result("provision_schema_shape_check_seconds", round(statistics.median(shape_s), 3), "s",
               runs=len(shape_s), note="part of every replay"),
        result("provision_schema_clone_vs_replay_ratio", round(clone / replay, 2), "x"),
        result("provision_schema_migrate_vs_replay_ratio", round(migrate / replay, 2), "x"),
        result("provision_schema_replay_matches_migrated", int(not replay_diff), "bool",
               differing_rows=replay_diff),
        result("provision_schema_clone_matches_migrated", int(not clone_diff), "bool",
               differing_rows=clone_diff),
    ]
