"""Celery tasks of the integrations app: thin, by id, in the tenant's schema.

Retries of a webhook are new messages with a countdown (exponential backoff, bounded by
`conf.WEBHOOK_MAX_ATTEMPTS`), each a fresh try logged on the delivery. The beat sweep
(`webhooks_due_dispatch`) re-sends deliveries whose next try is overdue, e.g. after the
broker lost a message."""

from __future__ import annotations

import random

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context, tenant_context


@shared_task(acks_late=True)
def webhook_deliver_task(delivery_id: int) -> bool:
    from .services import webhook_attempt

    result = webhook_attempt(delivery_id=delivery_id)
    if result is None:
        return False
    if result.retry_in is not None:
        webhook_deliver_task.apply_async(
            args=[delivery_id], countdown=result.retry_in,
            headers={"_schema_name": connection.schema_name},
        )
    return result.ok


@shared_task(acks_late=True)
def webhooks_due() -> int:
    from .services import webhooks_due as due

    ids = due()
    for delivery_id in ids:
        webhook_deliver_task.apply_async(
            args=[delivery_id], headers={"_schema_name": connection.schema_name}
        )
    return len(ids)


@shared_task(acks_late=True)
def webhooks_due_dispatch(jitter_seconds: float = 30.0) -> int:
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            webhooks_due.apply_async(countdown=random.uniform(0, jitter_seconds))
    return len(tenants)


@shared_task(acks_late=True)
def oidc_cleartokens() -> None:
    """Expired tokens and grants of this tenant (django-oauth-toolkit's clear_expired)."""
    from oauth2_provider.models import clear_expired

    clear_expired()


@shared_task(acks_late=True)
def oidc_cleartokens_dispatch(jitter_seconds: float = 600.0) -> int:
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            oidc_cleartokens.apply_async(countdown=random.uniform(0, jitter_seconds))
    return len(tenants)
