"""Celery tasks of the signing app (ids in; services do the work)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=5)
def output_sign_task(self, application_id: int) -> bool:
    """Sign one generated output (runs in the application's tenant schema). Bounded retries
    with backoff; after that the beat sweep keeps trying, and staff see the failure."""
    from .errors import SigningFailed
    from .services import _backoff, output_sign

    try:
        job = output_sign(application_id=application_id)
    except SigningFailed as exc:
        if self.request.is_eager:  # tests and eager mode: the sweep retries, not a loop
            return False
        countdown = _backoff(self.request.retries + 1).total_seconds()
        raise self.retry(exc=exc, countdown=countdown) from exc
    return job is not None and job.state == "signed"


@shared_task(acks_late=True, ignore_result=True)
def signature_jobs_sweep() -> int:
    """Beat entry (public schema): re-dispatch every unsigned output whose attempt is due -
    one table for the whole deployment, so no fan-out over the tenants."""
    from tenants.models import Tenant

    from .services import signature_jobs_due

    with schema_context("public"):
        due = signature_jobs_due()
        live = set(Tenant.objects.filter(schema_name__in={s for s, _a in due})
                   .values_list("schema_name", flat=True))
    sent = 0
    for schema, application_id in due:
        if schema not in live:
            continue
        output_sign_task.apply_async(kwargs={"application_id": application_id},
                                     headers={"_schema_name": schema})
        sent += 1
    return sent
