"""Periodic work of the feedback app: one dispatcher fans out to ready tenants."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context, tenant_context


@shared_task(acks_late=True)
def feedback_dispatch(jitter_seconds: float = 30.0) -> int:
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            feedback_tenant_hourly.apply_async(
                args=[tenant.pk], countdown=random.uniform(0, jitter_seconds)
            )
    return len(tenants)


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def feedback_tenant_hourly(tenant_id: int) -> dict[str, int]:
    """In the tenant's schema: invite completed applications that were missed, then upsert
    the "ikm", "complaints" and "queue" rollup rows of today."""
    from .rollup import rollup_feedback_tenant
    from .sweeps import skm_invite_completed_sweep

    invited = skm_invite_completed_sweep()
    tenant = getattr(connection, "tenant", None)
    tz = getattr(tenant, "timezone", "") or "Asia/Jakarta"
    rows = rollup_feedback_tenant(tenant_id=tenant_id, tz=tz)
    return {"invited": invited, "rollup_rows": rows}
