"""Periodic work fans out from one dispatcher to ready tenants (never a beat entry per tenant).

The dispatcher runs in the public schema; each per-tenant task is sent from inside
`tenant_context`, so tenant-schemas-celery stamps it with that tenant's schema."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from .models import Tenant
from .selectors import ready_tenants


@shared_task(acks_late=True, ignore_result=False)  # read by the real-worker test
def heartbeat_dispatch(jitter_seconds: float = 5.0) -> int:
    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            tenant_heartbeat.apply_async(
                args=[tenant.pk], countdown=random.uniform(0, jitter_seconds)
            )
    return len(tenants)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def tenant_heartbeat(tenant_id: int) -> str:
    """Runs in the tenant's schema (switched by the worker); records what it saw."""
    from .services import tenant_heartbeat_record

    seen = connection.schema_name
    tenant_heartbeat_record(tenant_id=tenant_id, schema_seen=seen)
    return seen


@shared_task(ignore_result=False)
def current_schema() -> str:
    """Returns the schema the worker ran this task in (used by the integration test)."""
    return connection.schema_name


@shared_task(acks_late=True, bind=True, max_retries=3, default_retry_delay=10)
def provision_tenant_task(self, tenant_id: int) -> str:
    from .services import tenant_provision

    with schema_context("public"):
        tenant = Tenant.objects.get(pk=tenant_id)
    tenant = tenant_provision(tenant_id=tenant.pk)
    return tenant.provisioning_step
