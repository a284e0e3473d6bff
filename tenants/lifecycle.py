"""Operator actions on a provisioned tenant: suspend, reactivate, delete.

Every action takes the acting operator (`actor=`: a user, or a string such as `cli:root` from a
management command) and writes one row in the audit log (`audit.services.audit_record`, which
also logs it on the `mpp.audit` logger): who, what, which tenant, why, and the outcome.

- Suspending keeps all data; the routing middleware answers the tenant's host with the
  maintenance page (503), and the tenant drops out of the "live" dashboards.
- Deleting drops the schema and the tenant's public rows. It needs the schema name typed back as
  confirmation **and** a backup of that schema (made in the same call when none is given), and
  only a suspended (or never-provisioned / failed) tenant can be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import quote_schema_name, schema_context, schema_exists

from audit.services import audit_record
from core.errors import ApplicationError, Conflict

from . import routing
from .backup import BackupError, BackupResult, read_manifest, tenant_backup
from .models import Tenant

SUSPENDABLE_STATES = (Tenant.State.ONBOARDING, Tenant.State.LIVE)
REACTIVATION_STATES = (Tenant.State.ONBOARDING, Tenant.State.LIVE)
# States whose schema may be dropped: never one that is being served.
DELETABLE_STATES = (
    Tenant.State.SUSPENDED, Tenant.State.FAILED, Tenant.State.REGISTERED, Tenant.State.APPROVED,
)


class ConfirmationMismatch(ApplicationError):
    code = "confirmation_mismatch"


class PlatformTenantProtected(ApplicationError):
    code = "platform_tenant_protected"
    status = 403


def actor_label(actor: Any) -> str:
    if actor is None:
        return "unknown"
    if isinstance(actor, str):
        return actor
    ident = getattr(actor, "pk", None)
    email = getattr(actor, "email", "") or ""
    return f"user:{ident}" + (f" <{email}>" if email else "")


def audit(action: str, *, tenant: Tenant, actor: Any, outcome: str = "ok", **details: Any) -> None:
    """One audit row about `tenant` (public schema), in the caller's transaction."""
    with schema_context("public"):
        audit_record(
            action, actor=actor, tenant=tenant, target_type="tenants.tenant",
            target_id=tenant.pk, target_repr=tenant.name, outcome=outcome,
            changes={"region_code": tenant.region_code, **details},
        )


def _guard_platform(tenant: Tenant) -> None:
    if tenant.is_platform:
        raise PlatformTenantProtected("The platform (public) tenant cannot be changed this way.")


def _set_state(tenant: Tenant, state: str) -> None:
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant.pk).update(state=state, updated_at=timezone.now())
        routing.forget_on_commit()
        tenant.refresh_from_db()


def tenant_suspend(*, tenant: Tenant, actor: Any, reason: str) -> Tenant:
    """Take a tenant offline (maintenance page, 503); all data stays. Idempotent."""
    _guard_platform(tenant)
    if not reason.strip():
        raise ApplicationError("A reason is required to suspend a tenant.", code="reason_required")
    if tenant.state == Tenant.State.SUSPENDED:
        audit("tenant.suspend", tenant=tenant, actor=actor, outcome="noop", reason=reason)
        return tenant
    if not tenant.is_ready or tenant.state not in SUSPENDABLE_STATES:
        raise Conflict(
            f"Tenant {tenant.schema_name} is {tenant.state}; only onboarding or live tenants "
            "can be suspended."
        )
    previous = tenant.state
    with transaction.atomic():
        _set_state(tenant, Tenant.State.SUSPENDED)
        audit("tenant.suspend", tenant=tenant, actor=actor, reason=reason, previous_state=previous)
    return tenant


def tenant_reactivate(
    *, tenant: Tenant, actor: Any, reason: str, state: str = Tenant.State.LIVE
) -> Tenant:
    """Serve a suspended tenant again (as `live`, or `onboarding` if it never went live)."""
    _guard_platform(tenant)
    if state not in REACTIVATION_STATES:
        raise ApplicationError(f"Cannot reactivate into state {state!r}.", code="invalid_state")
    if tenant.state == state:
        audit("tenant.reactivate", tenant=tenant, actor=actor, outcome="noop", reason=reason)
        return tenant
    if tenant.state != Tenant.State.SUSPENDED or not tenant.is_ready:
        raise Conflict(f"Tenant {tenant.schema_name} is {tenant.state}, not suspended.")
    with transaction.atomic():
        _set_state(tenant, state)
        audit("tenant.reactivate", tenant=tenant, actor=actor, reason=reason, new_state=state)
    return tenant


@dataclass
class DeleteResult:
    schema: str
    backup_path: Path | None
    backup_created: bool
    schema_dropped: bool


def _check_backup(path: Path, tenant: Tenant) -> dict[str, Any]:
    try:
        manifest = read_manifest(path)
    except ApplicationError as exc:
        raise BackupError(f"Backup {path} is not usable: {exc.message}") from exc
    if manifest["source"]["schema_name"] != tenant.schema_name:
        raise BackupError(
            f"Backup {path} is of schema {manifest['source']['schema_name']}, "
            f"not {tenant.schema_name}."
        )
    return manifest


def tenant_delete(
    *,
    tenant: Tenant,
    actor: Any,
    confirm: str,
    backup_path: Path | str | None = None,
    backup_dir: Path | str | None = None,
    reason: str = "",
) -> DeleteResult:
    """Drop the tenant's schema and delete its rows (tenant, domains, heartbeat).

    `confirm` must equal the schema name. With `backup_path`, that file must be a backup of this
    schema; without it, a backup (including media) is written first (to `backup_dir` or
    `.data/backups/`). Media files are kept in storage (the backup lists and contains them).
    """
    _guard_platform(tenant)
    if confirm != tenant.schema_name:
        audit("tenant.delete", tenant=tenant, actor=actor, outcome="refused",
              why="confirmation mismatch", confirm=confirm)
        raise ConfirmationMismatch(
            f"Type the schema name to confirm: expected {tenant.schema_name!r}, got {confirm!r}."
        )
    if tenant.state not in DELETABLE_STATES:
        audit("tenant.delete", tenant=tenant, actor=actor, outcome="refused",
              why=f"state {tenant.state}")
        raise Conflict(
            f"Tenant {tenant.schema_name} is {tenant.state}: suspend it first "
            "(manage.py suspend_tenant)."
        )
    with schema_context("public"):
        has_schema = schema_exists(tenant.schema_name)
    backup: BackupResult | None = None
    path: Path | None = None
    if has_schema:
        if backup_path:
            path = Path(backup_path)
            _check_backup(path, tenant)
        else:
            target = None
            if backup_dir:
                stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
                target = Path(backup_dir) / f"{tenant.schema_name}-{stamp}.tar.gz"
            backup = tenant_backup(tenant=tenant, out_path=target, include_media=True)
            path = backup.path
            _check_backup(path, tenant)
    schema = tenant.schema_name
    tenant_id = tenant.pk
    with schema_context("public"), transaction.atomic():
        if has_schema:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA {quote_schema_name(schema)} CASCADE")
        Tenant.objects.filter(pk=tenant_id).delete()  # domains, heartbeat: ON DELETE CASCADE
        audit(
            "tenant.delete", tenant=tenant, actor=actor, reason=reason,
            backup=str(path) if path else None, backup_created=backup is not None,
            schema_dropped=has_schema,
        )
    return DeleteResult(
        schema=schema, backup_path=path, backup_created=backup is not None,
        schema_dropped=has_schema,
    )


# --- helpers for the management commands ------------------------------------------------------------


def cli_actor(explicit: str | None = None) -> str:
    """`cli:<name>` for audit lines written by management commands."""
    if explicit:
        return explicit if ":" in explicit else f"cli:{explicit}"
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        return "cli:unknown"


def tenant_by_schema(schema_name: str) -> Tenant:
    from core.errors import NotFound

    with schema_context("public"):
        try:
            return Tenant.objects.get(schema_name=schema_name)
        except Tenant.DoesNotExist:
            raise NotFound(f"No tenant with schema {schema_name!r}.") from None
