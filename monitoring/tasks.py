"""Rollup tasks: a public dispatcher writes the onboarding rows of every registered tenant in
one statement and fans out a per-tenant recompute of yesterday and today (closing the day)."""

from __future__ import annotations

import random
from datetime import timedelta

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

ROLLUP_JITTER_SECONDS = 120.0


@shared_task(acks_late=True)
def rollup_dispatch(jitter_seconds: float = ROLLUP_JITTER_SECONDS) -> int:
    from sla.tasks import sweep_targets

    from .services import rollup_onboarding_all

    rollup_onboarding_all()
    tenants = sweep_targets()
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
