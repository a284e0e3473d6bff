"""Writes for tenants: creation from the national region list and background provisioning."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists, tenant_context

from core.discovery import collect
from regions import reference

from . import routing
from .errors import TenantProvisioningFailed, UnknownRegion
from .migration_state import code_fingerprint
from .models import Domain, Tenant, TenantHeartbeat
from .schema_recipe import build_tenant_schema

logger = logging.getLogger(__name__)

PROVISIONING_STEPS = ("queued", "creating_schema", "migrating", "seeding", "ready")
# First key of the (int, int) advisory lock that serialises provisioning of one tenant.
_PROVISION_LOCK = 0x4D505001


def tenant_host(slug: str) -> str:
    return f"{slug}.{settings.MPP_BASE_DOMAIN}"


def public_tenant_ensure() -> Tenant:
    """The public schema's own row and the base-domain Domain (idempotent)."""
    with schema_context("public"):
        tenant, _created = Tenant.objects.get_or_create(
            schema_name="public",
            defaults={
                "slug": "platform",
                "name": "MPP Digital",
                "kind": Tenant.Kind.PLATFORM,
                "state": Tenant.State.LIVE,
                "is_ready": True,
            },
        )
        Domain.objects.get_or_create(
            domain=settings.MPP_BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
        )
    return tenant


def tenant_register(*, region_code: str) -> Tenant:
    """Create (or return) the tenant row for a kab/kota from the national list. No schema yet."""
    try:
        regency = reference.regency(reference.normalize_code(region_code))
    except ValueError:
        regency = None
    if regency is None or reference.level_of(regency.code) != "regency":
        raise UnknownRegion(
            _("Kode kab/kota %(code)s tidak ada dalam daftar Kemendagri.") % {"code": region_code}
        )
    slug = reference.slug_for_regency(regency.code)
    with schema_context("public"), transaction.atomic():
        tenant, created = Tenant.objects.get_or_create(
            region_code=regency.code,
            defaults={
                "slug": slug,
                "schema_name": slug.replace("-", "_"),
                "name": reference.display_name(regency),
                "kind": regency.kind,
                "province_code": regency.province_code,
                "timezone": reference.timezone_for_province(regency.province_code),
                "state": Tenant.State.REGISTERED,
                "provisioning_step": "",
            },
        )
        if created:
            Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
    return tenant


def _set_step(tenant: Tenant, step: str, **extra: object) -> None:
    tenant.provisioning_step = step
    for key, value in extra.items():
        setattr(tenant, key, value)
    with schema_context("public"):
        tenant.save(update_fields=["provisioning_step", "updated_at", *extra.keys()])


@contextmanager
def _provisioning_lock(tenant_id: int) -> Iterator[None]:
    """Session-level advisory lock on (_PROVISION_LOCK, tenant id), held for the whole run.

    Session-level, not transaction-level: the steps commit one by one so the registrant sees
    progress. A second caller (a redelivered task, a retry button) waits here, then finds the
    tenant ready. A lost connection releases the lock with it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_PROVISION_LOCK, tenant_id])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_PROVISION_LOCK, tenant_id])
        except DatabaseError:  # the connection is gone, and the lock with it
            logger.warning("Could not release the provisioning lock of tenant %s", tenant_id)


def tenant_provision(
    *, tenant_id: int, on_step: Callable[[str], None] | None = None
) -> Tenant:
    """Create the schema, run the tenant migrations and seed it; then mark the tenant ready.

    Idempotent: a ready tenant is returned unchanged; a half-made schema from a crashed run is
    dropped and rebuilt. Concurrent calls for one tenant are serialised by an advisory lock; the
    later one returns the tenant the first made ready. Until `is_ready` is set, routing, beat and
    dashboards ignore the tenant.
    """
    with schema_context("public"):
        tenant = Tenant.objects.get(pk=tenant_id)
    if tenant.is_ready:
        return tenant
    with _provisioning_lock(tenant_id):
        with schema_context("public"):
            tenant = Tenant.objects.get(pk=tenant_id)  # as left by whoever held the lock
        if tenant.is_ready:
            return tenant
        return _provision(tenant, on_step or (lambda step: None))


def _provision(tenant: Tenant, report: Callable[[str], None]) -> Tenant:
    try:
        _set_step(tenant, "creating_schema", state=Tenant.State.PROVISIONING, provisioning_error="")
        report("creating_schema")
        if schema_exists(tenant.schema_name):
            _drop_schema(tenant.schema_name)  # leftovers of a failed attempt
        _create_schema(tenant.schema_name)
        _set_step(tenant, "migrating")
        report("migrating")
        build_tenant_schema(
            tenant.schema_name, recreate=lambda: _recreate_schema(tenant.schema_name)
        )
        _set_step(tenant, "seeding")
        report("seeding")
        with tenant_context(tenant):
            for seed in collect("seeding", "seed_new_tenant"):
                seed(tenant=tenant)
        _set_step(
            tenant, "ready", is_ready=True, state=Tenant.State.ONBOARDING,
            migrations_fingerprint=code_fingerprint(),
        )
        report("ready")
    except Exception as exc:
        logger.exception("Provisioning of %s failed", tenant.schema_name)
        with schema_context("public"):
            if schema_exists(tenant.schema_name):
                _drop_schema(tenant.schema_name)
        _set_step(
            tenant, "failed", state=Tenant.State.FAILED, is_ready=False,
            provisioning_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise TenantProvisioningFailed(
            _("Penyiapan tenant %(name)s gagal; silakan coba lagi.") % {"name": tenant.name}
        ) from exc
    return tenant


def tenant_provision_requeue(*, tenant_id: int) -> None:
    """Show a failed attempt that will be retried as queued again (the error is kept)."""
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_id, is_ready=False).update(
            provisioning_step="queued", state=Tenant.State.PROVISIONING, updated_at=timezone.now()
        )
        routing.forget_on_commit()


def _create_schema(schema_name: str) -> None:
    with schema_context("public"):
        connection.cursor().execute(f'CREATE SCHEMA "{schema_name}"')


def _recreate_schema(schema_name: str) -> None:
    _drop_schema(schema_name)
    _create_schema(schema_name)


def _drop_schema(schema_name: str) -> None:
    with schema_context("public"):
        connection.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def tenant_create_ready(*, region_code: str) -> Tenant:
    """Register and provision synchronously (operators, demo data, benchmarks). Idempotent."""
    tenant = tenant_register(region_code=region_code)
    return tenant_provision(tenant_id=tenant.pk)


def tenant_set_state(*, tenant: Tenant, state: str) -> Tenant:
    tenant.state = state
    with schema_context("public"):
        tenant.save(update_fields=["state", "updated_at"])
    return tenant


def tenant_set_timezone(*, tenant: Tenant, timezone_name: str) -> Tenant:
    """The regency's time zone (WIB/WITA/WIT), chosen in the onboarding wizard's profile."""
    tenant.timezone = timezone_name
    with schema_context("public"):
        tenant.save(update_fields=["timezone", "updated_at"])  # forgets the kept routes
    return tenant


def tenant_heartbeat_record(*, tenant_id: int, schema_seen: str) -> None:
    with schema_context("public"):
        TenantHeartbeat.objects.update_or_create(
            tenant_id=tenant_id,
            defaults={"schema_seen": schema_seen, "beat_at": timezone.now()},
        )
