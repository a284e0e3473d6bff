"""Deploy-time migrations: no-op when fingerprints match, and never two runs at once."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from tenants.migration_state import code_fingerprint
from tenants.models import Tenant


def _run(capsys) -> dict:
    call_command("deploy_migrate", "--skip-shared")
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_nothing_pending_means_nothing_migrated(tenant_a, tenant_b, capsys):
    assert tenant_a.migrations_fingerprint == tenant_b.migrations_fingerprint == code_fingerprint()
    summary = _run(capsys)
    assert summary["migrated"] == 0
    assert summary["failed"] == {}


def test_only_schemas_with_a_stale_fingerprint_are_migrated(tenant_a, tenant_b, capsys):
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_a.pk).update(migrations_fingerprint="stale")
    summary = _run(capsys)
    assert summary["migrated"] == 1
    with schema_context("public"):
        assert Tenant.objects.get(pk=tenant_a.pk).migrations_fingerprint == code_fingerprint()


def test_a_second_concurrent_run_is_refused(db):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtext('mpp.deploy_migrate'))")
        with pytest.raises(CommandError, match="Another deploy_migrate"):
            call_command("deploy_migrate", "--skip-shared")
