"""Rollup tasks of the reports app: an hourly public dispatcher sends one task per ready
tenant (stamped with its schema by tenant-schemas-celery, as monitoring and sla do), which
rolls up yesterday and re-rolls the days changed since (docs/adr/0012)."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import connection
from django_tenants.utils import tenant_context

JITTER_SECONDS = 300.0


@shared_task(acks_late=True)
def daily_figures_dispatch(jitter_seconds: float = JITTER_SECONDS) -> int:
    from tenants.selectors import portal_open_tenants

    tenants = portal_open_tenants()
    for tenant in tenants:
        with tenant_context(tenant):
            daily_figures_tenant_task.apply_async(
                args=[tenant.pk],
                countdown=random.uniform(0, jitter_seconds) if jitter_seconds else None,
            )
    return len(tenants)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=2, retry_backoff=True)
def daily_figures_tenant_task(tenant_id: int) -> int:
    """Refresh the rollups of the tenant the worker switched to (``tenant_id`` is a check)."""
    from .services import daily_figures_refresh

    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) != tenant_id:
        return 0
    return daily_figures_refresh(tz=getattr(tenant, "timezone", "") or "Asia/Jakarta")
