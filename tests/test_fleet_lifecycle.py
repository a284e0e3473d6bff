"""Suspend / reactivate / delete a tenant (tenants.lifecycle and its commands)."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_context, schema_exists

from core.errors import Conflict
from tenants.backup import tenant_backup
from tenants.lifecycle import (
    ConfirmationMismatch,
    PlatformTenantProtected,
    tenant_delete,
    tenant_reactivate,
    tenant_suspend,
)
from tenants.models import Domain, Tenant


def _audit_lines(caplog) -> list[dict]:
    return [
        json.loads(r.getMessage().removeprefix("audit "))
        for r in caplog.records if r.name == "mpp.audit"
    ]


def test_suspend_shows_maintenance_and_keeps_data(tenant_a, client_a, in_tenant, caplog):
    from agencies.models import Agency

    with in_tenant(tenant_a):
        Agency.objects.create(code="tetap-ada", name="Data tetap ada")
    caplog.set_level(logging.INFO, logger="mpp.audit")
    # when suspended
    tenant_suspend(tenant=tenant_a, actor="cli:ops", reason="audit keamanan")
    # then the portal answers 503 with the maintenance page, and the data is still there
    response = client_a.get("/")
    assert response.status_code == 503
    assert "ditangguhkan" in response.content.decode()
    with in_tenant(tenant_a):
        assert Agency.objects.filter(code="tetap-ada").exists()
    [line] = _audit_lines(caplog)
    assert line["action"] == "tenant.suspend"
    assert line["actor"] == "cli:ops"
    assert line["reason"] == "audit keamanan"
    assert line["previous_state"] == "live"
    # when reactivated, it serves again
    tenant_reactivate(tenant=tenant_a, actor="cli:ops", reason="selesai")
    assert client_a.get("/").status_code == 200
    assert tenant_a.state == Tenant.State.LIVE


def test_suspend_needs_a_reason_and_spares_the_platform(tenant_a):
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        tenant_suspend(tenant=tenant_a, actor="x", reason="  ")
    with schema_context("public"):
        platform = Tenant.objects.get(schema_name="public")
    with pytest.raises(PlatformTenantProtected):
        tenant_suspend(tenant=platform, actor="x", reason="no")


def test_delete_refuses_a_live_tenant_and_a_wrong_confirmation(tenant_b, caplog):
    caplog.set_level(logging.INFO, logger="mpp.audit")
    with pytest.raises(Conflict):
        tenant_delete(tenant=tenant_b, actor="cli:ops", confirm="kab_sragen")
    tenant_suspend(tenant=tenant_b, actor="cli:ops", reason="akan dihapus")
    with pytest.raises(ConfirmationMismatch):
        tenant_delete(tenant=tenant_b, actor="cli:ops", confirm="kab-sragen")
    with schema_context("public"):
        assert schema_exists("kab_sragen")
    assert [a["outcome"] for a in _audit_lines(caplog) if a["action"] == "tenant.delete"] == [
        "refused", "refused",
    ]


def test_delete_with_a_backup_of_another_schema_is_refused(tenant_a, tenant_b, tmp_path):
    from tenants.backup import BackupError

    other = tenant_backup(tenant=tenant_a, out_path=tmp_path / "a.tar.gz").path
    tenant_suspend(tenant=tenant_b, actor="cli:ops", reason="akan dihapus")
    with pytest.raises(BackupError):
        tenant_delete(tenant=tenant_b, actor="cli:ops", confirm="kab_sragen", backup_path=other)
    with schema_context("public"):
        assert schema_exists("kab_sragen")


def test_delete_makes_a_backup_then_drops_schema_and_rows(tenant_b, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="mpp.audit")
    tenant_suspend(tenant=tenant_b, actor="cli:ops", reason="akan dihapus")
    # when deleted with the right confirmation and no backup given
    result = tenant_delete(
        tenant=tenant_b, actor="cli:ops", confirm="kab_sragen", backup_dir=tmp_path,
        reason="permintaan pemda",
    )
    # then a backup was written first, and the schema, tenant and domain rows are gone
    assert result.backup_created
    assert result.backup_path.is_file()
    assert result.backup_path.parent == tmp_path
    with schema_context("public"):
        assert not schema_exists("kab_sragen")
        assert not Tenant.objects.filter(schema_name="kab_sragen").exists()
        assert not Domain.objects.filter(domain__startswith="kab-sragen.").exists()
    line = _audit_lines(caplog)[-1]
    assert line["action"] == "tenant.delete"
    assert line["outcome"] == "ok"
    assert line["backup"] == str(result.backup_path)


def _delete_command():
    # Ours is `remove_tenant` (django-tenants already has a `delete_tenant` command).
    from tenants.management.commands.remove_tenant import Command

    return Command()


def test_commands_exit_codes_and_output(tenant_b, tmp_path, capsys):
    with pytest.raises(CommandError) as refused:
        call_command(_delete_command(), "--schema", "kab_sragen", "--confirm", "kab_sragen")
    assert refused.value.returncode == 1  # live: suspend first
    call_command("suspend_tenant", "--schema", "kab_sragen", "--reason", "uji")
    assert "suspended" in capsys.readouterr().out
    with pytest.raises(CommandError) as mismatch:
        call_command(_delete_command(), "--schema", "kab_sragen", "--confirm", "kab_sragenx")
    assert mismatch.value.returncode == 2
    call_command("reactivate_tenant", "--schema", "kab_sragen", "--reason", "uji")
    assert "reactivated as live" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("suspend_tenant", "--schema", "nope", "--reason", "uji")
