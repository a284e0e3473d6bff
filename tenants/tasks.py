"""Periodic work fans out from one dispatcher to ready tenants (never a beat entry per tenant).

The dispatcher runs in the public schema; each per-tenant task is sent from inside
`tenant_context`, so tenant-schemas-celery stamps it with that tenant's schema."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection
from django_tenants.utils import schema_context, tenant_context

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


# Failures worth another attempt: the database or the network went away, a lock or statement
# timed out, a deadlock or serialisation failure (Django maps all of these to OperationalError).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, ConnectionError, TimeoutError,
)
RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 300


def is_transient(exc: BaseException) -> bool:
    """The error itself or its cause (tenant_provision wraps what went wrong) is transient."""
    return isinstance(exc, TRANSIENT_ERRORS) or isinstance(exc.__cause__, TRANSIENT_ERRORS)


def retry_countdown(retries: int) -> float:
    """Exponential backoff with jitter: ~10 s, ~20 s, ~40 s, ... capped at 5 minutes."""
    base = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)
    return base + random.uniform(0, base / 4)


@shared_task(acks_late=True, bind=True, max_retries=5)
def provision_tenant_task(self, tenant_id: int) -> str:
    """Provision by tenant id; safe to run twice (tenant_provision is idempotent and locked).

    Transient failures are retried with backoff (the tenant shows "queued" meanwhile, the error
    is kept for operators); anything else, or the last failed attempt, leaves it "failed"."""
    from .services import tenant_provision, tenant_provision_requeue

    try:
        tenant = tenant_provision(tenant_id=tenant_id)
    except Exception as exc:
        if not is_transient(exc) or self.request.retries >= self.max_retries:
            raise
        tenant_provision_requeue(tenant_id=tenant_id)
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    return tenant.provisioning_step
