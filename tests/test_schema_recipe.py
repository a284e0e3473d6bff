"""Replayed tenant schemas are identical to migrated ones, and a bad recipe falls back."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import schema_context

from tenants.migration_state import code_fingerprint
from tenants.models import SchemaRecipe, Tenant
from tenants.services import tenant_provision, tenant_register


def _shape(schema: str) -> dict[str, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = %s ORDER BY 1, 2",
            [schema],
        )
        columns = [tuple(str(v).replace(schema, "S") for v in row) for row in cursor.fetchall()]
        cursor.execute(
            "SELECT tablename, replace(indexdef, %s, 'S') FROM pg_indexes "
            "WHERE schemaname = %s ORDER BY 1, 2",
            [f'"{schema}"', schema],
        )
        indexes = [(t, d.replace(f"{schema}.", "S.")) for t, d in cursor.fetchall()]
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = %s::regnamespace ORDER BY 2",
            [schema],
        )
        constraints = [
            (r.replace(f"{schema}.", ""), n, d.replace(f"{schema}.", "")) for r, n, d in cursor.fetchall()
        ]
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2')
        migrations = cursor.fetchall()
    return {"columns": columns, "indexes": indexes, "constraints": constraints,
            "migrations": migrations}


def test_a_recipe_is_recorded_for_the_code_fingerprint(db):
    recipe = SchemaRecipe.objects.get(fingerprint=code_fingerprint())
    assert recipe.table_count > 10
    assert recipe.statements


def test_replayed_schema_equals_the_migrated_one(tenant_a, tenant_b):
    # the session fixtures migrated the first tenant (recording) and replayed into the second
    assert _shape("kota_bandung") == _shape("kab_sragen")


def test_a_broken_recipe_falls_back_to_migrating(db):
    recipe = SchemaRecipe.objects.get(fingerprint=code_fingerprint())
    recipe.statements = [*recipe.statements[:3], ["CREATE TABLE oops (", None]]
    recipe.save()
    tenant = tenant_register(region_code="11.01")
    tenant = tenant_provision(tenant_id=tenant.pk)
    assert tenant.is_ready
    with schema_context("public"):
        assert Tenant.objects.get(pk=tenant.pk).provisioning_step == "ready"
    assert _shape(tenant.schema_name) == _shape("kota_bandung")
