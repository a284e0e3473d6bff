"""Schema recipes: keyed by migration content, replayed schemas equal migrated ones, nothing is
dropped silently, a bad recipe falls back; provisioning is locked per tenant and retried."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django_tenants.utils import schema_context

import tenants.services
from tenants import schema_recipe
from tenants.migration_state import (
    code_migrations,
    library_versions,
    migration_sources,
    recipe_key,
    recipe_key_of,
)
from tenants.models import SchemaRecipe, Tenant
from tenants.schema_recipe import _Recorder, _replay, build_tenant_schema, schema_shape
from tenants.services import tenant_provision, tenant_register
from tenants.tasks import provision_tenant_task


def _create_schema(name: str) -> None:
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{name}"')


def _recipe() -> SchemaRecipe:
    """The recipe of this code (recorded by the session's first tenant; by a migrate if the test
    database was reused from older code)."""
    if not SchemaRecipe.objects.filter(fingerprint=recipe_key()).exists():
        _create_schema("recipe_record")
        build_tenant_schema("recipe_record", recreate=lambda: None)
    return SchemaRecipe.objects.get(fingerprint=recipe_key())


# --- the key --------------------------------------------------------------------------------------


def test_a_recipe_is_recorded_for_the_recipe_key(db):
    recipe = _recipe()
    assert recipe.table_count > 10
    assert recipe.statements and recipe.applied_migrations
    assert len(recipe.shape_digest) == 64


def test_the_key_covers_every_migration_file_and_the_library_versions():
    sources = migration_sources()
    names = [(app, name) for app, name, _content in sources]
    assert names == sorted(names)
    assert set(code_migrations()) < set(names)  # every tenant migration, and ...
    assert ("tenants", "0001_initial") in names  # ... the shared apps' (recorded in tenants too)
    app, name, content = sources[0]
    module = __import__(f"{app}.migrations.{name}", fromlist=["Migration"])
    assert content == Path(module.__file__).read_bytes()

    versions = library_versions()
    assert set(versions) == {"django", "django-tenants"}
    key = recipe_key_of(sources, versions)
    assert key == recipe_key()
    edited = [*sources[:-1], (*sources[-1][:2], sources[-1][2] + b"\n# an edit\n")]
    assert recipe_key_of(edited, versions) != key
    assert recipe_key_of(sources, {**versions, "django": "5.2.99"}) != key
    assert recipe_key_of(sources, {**versions, "django-tenants": "9.9.9"}) != key
    assert recipe_key_of(list(reversed(sources)), versions) == key


def test_an_edited_migration_records_a_new_recipe_instead_of_reusing_the_old(db, monkeypatch):
    sources = migration_sources()
    edited = [*sources[:-1], (*sources[-1][:2], sources[-1][2] + b"\n# an edit\n")]
    new_key = recipe_key_of(edited, library_versions())
    monkeypatch.setattr(schema_recipe, "recipe_key", lambda: new_key)

    _create_schema("recipe_edit_a")
    assert build_tenant_schema("recipe_edit_a", recreate=lambda: None) == "migrated"
    assert SchemaRecipe.objects.filter(fingerprint=new_key).exists()
    assert SchemaRecipe.objects.filter(fingerprint=recipe_key()).exists()  # old one untouched
    _create_schema("recipe_edit_b")
    assert build_tenant_schema("recipe_edit_b", recreate=lambda: None) == "replayed"


# --- what is recorded -----------------------------------------------------------------------------


def _classified(*statements: tuple[str, object]) -> _Recorder:
    recorder = _Recorder()
    for sql, params in statements:
        recorder._classify(sql, params, False)
    return recorder


def test_reads_are_not_replayed_but_kept_and_sequence_calls_are_replayed():
    recorder = _classified(
        ('CREATE TABLE "t" ("id" bigint NOT NULL)', None),
        ('SELECT "integrations_oidcclient"."id" FROM "integrations_oidcclient"', ()),
        ("SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname = 'setval('", None),
        ("SELECT setval(pg_get_serial_sequence('\"t\"', 'id'), 1000, false)", None),
        ("SELECT setval(%s, %s)", ("t_id_seq", 7)),
    )
    assert recorder.usable, recorder.reason
    assert recorder.statements == [
        ['CREATE TABLE "t" ("id" bigint NOT NULL)', None],
        ["SELECT setval(pg_get_serial_sequence('\"t\"', 'id'), 1000, false)", None],
        ["SELECT setval(%s, %s)", ["t_id_seq", 7]],
    ]
    assert len(recorder.reads) == 2


@pytest.mark.parametrize(
    "sql",
    [
        'WITH moved AS (DELETE FROM "hall_ticket" RETURNING *) SELECT count(*) FROM moved',
        'SELECT * INTO "hall_copy" FROM "hall_ticket"',
        "SELECT set_config('search_path', 'public', false)",
        "SELECT pg_advisory_lock(1)",
        'UPDATE "integrations_oidcclient" SET "name" = \'x\'',
        "VACUUM",
    ],
)
def test_statements_that_matter_and_cannot_be_replayed_refuse_the_recipe(sql):
    recorder = _classified((sql, None))
    assert not recorder.usable
    assert sql in recorder.reason  # named in the warning


def test_a_call_of_a_function_the_migrations_created_refuses_the_recipe():
    recorder = _classified(
        ("CREATE OR REPLACE FUNCTION fill_numbers() RETURNS void LANGUAGE sql AS 'SELECT 1'", None),
        ("SELECT fill_numbers()", None),
    )
    assert not recorder.usable and "fill_numbers()" in recorder.reason


def test_a_refused_recording_is_logged_with_the_statement(db, monkeypatch, caplog):
    def migrate(*args, schema_name, **kwargs):  # a tenant migration with a RunSQL step
        with schema_context(schema_name), connection.cursor() as cursor:
            cursor.execute('CREATE TABLE "numbers" ("id" bigint NOT NULL)')
            cursor.execute("SELECT pg_advisory_xact_lock(42)")

    monkeypatch.setattr(schema_recipe, "call_command", migrate)
    monkeypatch.setattr(schema_recipe, "recipe_key", lambda: "k" * 64)
    _create_schema("recipe_refused")
    with caplog.at_level(logging.WARNING, logger="tenants.schema_recipe"):
        assert build_tenant_schema("recipe_refused", recreate=lambda: None) == "migrated"
    assert not SchemaRecipe.objects.filter(fingerprint="k" * 64).exists()
    assert "SELECT pg_advisory_xact_lock(42)" in caplog.text


def test_recorded_sequence_calls_are_replayed(db):
    recipe = SchemaRecipe(
        fingerprint="s" * 64, applied_migrations=[], table_count=0, shape_digest="",
        statements=[["CREATE SEQUENCE numbers", None], ["SELECT setval(%s, %s)", ["numbers", 41]]],
    )
    _create_schema("recipe_seq")
    _replay("recipe_seq", recipe)
    with connection.cursor() as cursor:
        cursor.execute('SELECT nextval(\'"recipe_seq".numbers\')')
        assert cursor.fetchone()[0] == 42


# --- replayed == migrated -------------------------------------------------------------------------


def test_a_replay_that_differs_falls_back_to_migrating_and_a_replay_equals_that(db):
    """One migrate (slow) serves both: the fallback, and the reference for the comparison."""
    recipe = _recipe()
    good = list(recipe.statements)
    index = next(i for i, (sql, _p) in enumerate(good) if sql.startswith("CREATE INDEX"))
    recipe.statements = good[:index] + good[index + 1 :]  # same table count, one index short
    recipe.save()
    _create_schema("cmp_migrated")
    recreated = []

    def recreate():
        recreated.append(True)
        _create_schema("cmp_migrated")

    assert build_tenant_schema("cmp_migrated", recreate=recreate) == "migrated"
    assert recreated

    recipe.statements = good
    recipe.save()
    _create_schema("cmp_replayed")
    assert build_tenant_schema("cmp_replayed", recreate=lambda: None) == "replayed"

    migrated, replayed = schema_shape("cmp_migrated"), schema_shape("cmp_replayed")
    for part in ("columns", "indexes", "constraints", "sequences", "relations", "migrations"):
        assert migrated[part], part  # the comparison is not vacuous
        assert replayed[part] == migrated[part], part
    assert replayed == migrated
    assert "cmp_" not in repr(replayed)  # the schema's own name is normalised everywhere
    assert {"p", "f", "u"} <= {row[2] for row in migrated["constraints"]}
    assert any("UNIQUE INDEX" in row[2] for row in migrated["indexes"])
    assert any(row[4] is not None for row in migrated["columns"])  # defaults are compared
    assert schema_shape("kota_bandung") == migrated  # and so are the session's tenants


def test_a_broken_recipe_leaves_nothing_behind(db):
    recipe = _recipe()
    recipe.statements = [*recipe.statements[:3], ["CREATE TABLE oops (", None]]
    _create_schema("recipe_broken")
    with pytest.raises(ProgrammingError):
        _replay("recipe_broken", recipe)
    assert schema_shape("recipe_broken")["relations"] == []


# --- one provisioning at a time -------------------------------------------------------------------


def _in_own_connection(work):
    """Run `work()` in a thread, on its own (autocommit) connection: outside the test transaction."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed to the caller
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _forget(region_code: str) -> None:
    with schema_context("public"):
        for tenant in Tenant.objects.filter(region_code=region_code):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
            tenant.delete()


def test_two_concurrent_provisionings_of_one_tenant_build_it_once(db, monkeypatch):
    """Real threads on their own connections, committed rows (outside the test transaction)."""
    code = "12.01"
    built: list[str] = []
    entered = threading.Barrier(2)
    real_build = tenants.services.build_tenant_schema

    def build(schema_name, *, recreate):
        built.append(schema_name)
        threading.Event().wait(0.3)  # keep the door open for the other thread
        return real_build(schema_name, recreate=recreate)

    monkeypatch.setattr(tenants.services, "build_tenant_schema", build)
    results: dict[str, object] = {}

    def provision(name: str, tenant_id: int) -> None:
        try:
            entered.wait(timeout=10)
            results[name] = tenant_provision(tenant_id=tenant_id)
        except Exception as exc:  # reported by the assertions below
            results[name] = exc
        finally:
            connection.close()

    _in_own_connection(lambda: _forget(code))
    try:
        tenant = _in_own_connection(lambda: tenant_register(region_code=code))
        threads = [threading.Thread(target=provision, args=(n, tenant.pk)) for n in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 2
        assert all(isinstance(r, Tenant) and r.is_ready for r in results.values()), results
        assert built == [tenant.schema_name]
        step = _in_own_connection(lambda: Tenant.objects.get(pk=tenant.pk).provisioning_step)
        assert step == "ready"
        assert len(_in_own_connection(lambda: schema_shape(tenant.schema_name))["relations"]) > 10
    finally:
        _in_own_connection(lambda: _forget(code))


# --- retries --------------------------------------------------------------------------------------


def _failing_build(monkeypatch, failures: int, error: Exception) -> list[str]:
    """The schema-building step fails `failures` times, then works.

    Eager tasks run their retries at once (countdowns are ignored), but only when eager errors
    are not propagated: with propagation Celery raises `Retry` out of the first attempt."""
    monkeypatch.setitem(provision_tenant_task.app.conf, "task_eager_propagates", False)
    calls: list[str] = []
    real_build = tenants.services.build_tenant_schema

    def build(schema_name, *, recreate):
        calls.append(schema_name)
        if len(calls) <= failures:
            raise error
        return real_build(schema_name, recreate=recreate)

    monkeypatch.setattr(tenants.services, "build_tenant_schema", build)
    return calls


def test_the_task_retries_a_transient_failure_and_then_provisions(db, monkeypatch):
    calls = _failing_build(monkeypatch, 2, OperationalError("server closed the connection"))
    tenant = tenant_register(region_code="11.02")
    result = provision_tenant_task.delay(tenant.pk)
    assert result.get() == "ready"
    assert len(calls) == 3
    tenant.refresh_from_db()
    assert tenant.is_ready and tenant.state == Tenant.State.ONBOARDING
    assert tenant.provisioning_error == ""


def test_the_task_gives_up_after_its_retries_and_leaves_the_tenant_failed(db, monkeypatch):
    calls = _failing_build(monkeypatch, 99, OperationalError("could not connect"))
    tenant = tenant_register(region_code="11.03")
    result = provision_tenant_task.delay(tenant.pk)
    assert result.failed()
    assert isinstance(result.result, tenants.services.TenantProvisioningFailed)
    assert len(calls) == provision_tenant_task.max_retries + 1
    tenant.refresh_from_db()
    assert tenant.provisioning_step == "failed" and not tenant.is_ready
    assert "OperationalError: could not connect" in tenant.provisioning_error


def test_the_task_does_not_retry_a_permanent_failure(db, monkeypatch):
    calls = _failing_build(monkeypatch, 99, ValueError("bad migration"))
    tenant = tenant_register(region_code="11.04")
    result = provision_tenant_task.delay(tenant.pk)
    assert result.failed()
    assert isinstance(result.result, tenants.services.TenantProvisioningFailed)
    assert len(calls) == 1
    tenant.refresh_from_db()
    assert tenant.provisioning_step == "failed"


def test_the_retry_countdown_grows_and_is_capped():
    from tenants.tasks import RETRY_MAX_SECONDS, retry_countdown

    assert 10 <= retry_countdown(0) <= 12.5
    assert 40 <= retry_countdown(2) <= 50
    assert retry_countdown(10) <= RETRY_MAX_SECONDS * 1.25
