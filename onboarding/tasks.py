"""Celery tasks of onboarding (thin: ids in, service call inside)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context


@shared_task(acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def registration_finalize_task(registration_id: int) -> str:
    """Runs after tenants.tasks.provision_tenant_task (chained): grant the registrant
    tenant_admin in the new schema and mark the registration ready."""
    from .services import registration_finalize

    with schema_context("public"):
        return registration_finalize(registration_id=registration_id).status
