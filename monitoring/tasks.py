"""Fleet tasks of the monitoring app.

- The SLA sweep: a public dispatcher records a `SweepRun` and fans out one task per tenant
  (never a beat entry per tenant); each runs `applications.sweep.sweep_tenant` (applications
  owns application state) and upserts the tenant's rollup, and records the result.
- Rollups: a public dispatcher writes the onboarding rows of every registered tenant in one
  statement and fans out a per-tenant recompute of yesterday and today (closing the day).

Thin: ids in, services do the work."""

from __future__ import annotations

import logging
import os
import random
from contextlib import nullcontext
from datetime import timedelta

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

logger = logging.getLogger(__name__)

ROLLUP_JITTER_SECONDS = 120.0
SWEEP_JITTER_SECONDS = 60.0


@shared_task(acks_late=True)
def rollup_dispatch(jitter_seconds: float = ROLLUP_JITTER_SECONDS) -> int:
    from tenants.selectors import portal_open_tenants

    from .services import rollup_onboarding_all

    rollup_onboarding_all()
    tenants = portal_open_tenants()
    for tenant in tenants:
        with tenant_context(tenant):
            rollup_tenant_task.apply_async(
                args=[tenant.pk],
                countdown=random.uniform(0, jitter_seconds) if jitter_seconds else None,
            )
    return len(tenants)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=2, retry_backoff=True)
def rollup_tenant_task(tenant_id: int) -> int:
    """Recompute yesterday and today (tenant-local) for the tenant the worker switched to."""
    from .services import local_today, rollup_tenant

    tenant = getattr(connection, "tenant", None)
    tz_name = getattr(tenant, "timezone", "") or ""
    today = local_today(tz_name, timezone.now())
    return rollup_tenant(tenant_id=tenant_id, tz_name=tz_name, days=[today - timedelta(1), today])


def _retry_base_seconds() -> int:
    """Backoff base of a failed tenant sweep (60 s; the real-worker test shortens it)."""
    from django.conf import settings

    return int(getattr(settings, "MPP_SLA_SWEEP_RETRY_SECONDS", 0)
               or os.environ.get("MPP_SLA_SWEEP_RETRY_SECONDS", 60))


@shared_task(acks_late=True)
def sla_sweep_dispatch(jitter_seconds: float = SWEEP_JITTER_SECONDS) -> int:
    """Beat entry (public): record a SweepRun, then send one task per tenant with jitter.

    Each task is sent from inside `tenant_context`, so tenant-schemas-celery stamps it with
    that tenant's schema and the worker runs it there."""
    from tenants.selectors import portal_open_tenants

    from .services import sweep_run_start

    tenants = portal_open_tenants()
    run = sweep_run_start(tenant_ids=[t.pk for t in tenants])
    for tenant in tenants:
        with tenant_context(tenant):
            sla_sweep_tenant.apply_async(
                args=[tenant.pk], kwargs={"run_id": run.pk},
                countdown=random.uniform(0, jitter_seconds) if jitter_seconds else None,
            )
    return len(tenants)


@shared_task(bind=True, acks_late=True, max_retries=2, default_retry_delay=60)
def sla_sweep_tenant(self, tenant_id: int, run_id: int | None = None) -> dict:
    """Sweep this tenant, then upsert its rollup. A failure is recorded (and retried a
    bounded number of times); it never affects the other tenants' tasks."""
    from applications.sweep import sweep_tenant

    from .models import TenantSweepResult
    from .services import rollup_tenant, sweep_result_record

    started = timezone.now()
    # Nested inside a caller's transaction (eager tests): isolate a failure in a savepoint.
    guard = transaction.atomic if connection.in_atomic_block else nullcontext
    try:
        with guard():
            counts = sweep_tenant()
    except Exception as exc:
        final = self.request.retries >= self.max_retries
        sweep_result_record(
            tenant_id=tenant_id, run_id=run_id, started_at=started,
            status=TenantSweepResult.Status.FAILED if final else TenantSweepResult.Status.PENDING,
            error=f"{type(exc).__name__}: {exc}",
        )
        if final:
            logger.exception("SLA sweep of tenant %s failed for good", tenant_id)
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        raise self.retry(
            exc=exc, countdown=_retry_base_seconds() * (2 ** self.request.retries)
        ) from exc
    error = ""
    try:
        with guard():
            tenant = getattr(connection, "tenant", None)
            rollup_tenant(tenant_id=tenant_id, tz_name=getattr(tenant, "timezone", "") or "")
    except Exception as exc:  # the sweep itself succeeded; report the rollup problem
        logger.exception("rollup of tenant %s failed after its sweep", tenant_id)
        error = f"rollup: {type(exc).__name__}: {exc}"
    sweep_result_record(
        tenant_id=tenant_id, run_id=run_id, started_at=started,
        status=TenantSweepResult.Status.OK, counts=counts.as_dict(), error=error,
    )
    return {"status": "ok", **counts.as_dict()}
