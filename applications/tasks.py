"""Celery tasks of the applications app (thin: ids in, services do the work)."""

from __future__ import annotations

import random

from celery import shared_task
from django_tenants.utils import schema_context, tenant_context


# ignore_result: nobody reads it, and with a result backend (Redis in production) every
# .delay() would first subscribe to the result store; with Redis down that retried ~19 s per
# notification inside the citizen's request, on commit (tests/test_fault_broker_down.py).
@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=4,
             default_retry_delay=30)
def notification_send_task(self, notification_id: int) -> bool:
    from .notifications import NotificationSendFailed, notification_send

    try:
        return notification_send(notification_id=notification_id) is not None
    except NotificationSendFailed as exc:
        if exc.final:
            return False
        raise self.retry(exc=exc, countdown=30 * (2 ** self.request.retries)) from exc


@shared_task(acks_late=True, ignore_result=False)  # the fault test waits for its result
def notifications_flush_dispatch(jitter_seconds: float = 5.0) -> int:
    """Beat entry: fan out to every ready tenant (runs in the public schema)."""
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            notifications_flush.apply_async(countdown=random.uniform(0, jitter_seconds))
    return len(tenants)


@shared_task(acks_late=True, ignore_result=False)
def notifications_flush() -> int:
    """Re-send this tenant's notifications still queued after a minute (broker outage)."""
    from .notifications import (
        NotificationSendFailed,
        notification_send,
        notifications_due_for_flush,
    )

    sent = 0
    for pk in notifications_due_for_flush():
        try:
            if notification_send(notification_id=pk) is not None:
                sent += 1
        except NotificationSendFailed:
            continue
    return sent


@shared_task(acks_late=True, ignore_result=True)
def notifications_send_task(notification_ids: list[int]) -> int:
    """One published task for several rows (a submission's email and SMS): the worker fans
    out to one `notification_send_task` per row, each sent, retried and flushed on its own.
    Idempotent: sending skips a row that is no longer queued."""
    from .notifications import notifications_fan_out

    notifications_fan_out([int(pk) for pk in notification_ids])
    return len(notification_ids)


@shared_task(acks_late=True, ignore_result=True)
def attachment_orphans_sweep_dispatch() -> int:
    """Beat entry (daily): one ``attachment_orphans_sweep`` per ready tenant."""
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        tenants = list(ready_tenants())
    for tenant in tenants:
        with tenant_context(tenant):
            attachment_orphans_sweep.apply_async(countdown=random.uniform(0, 600))
    return len(tenants)


@shared_task(acks_late=True, ignore_result=True)
def attachment_orphans_sweep() -> int:
    """This tenant's copy files without a row (docs/adr/0013). Idempotent."""
    from .attachments import attachment_orphans_delete

    return len(attachment_orphans_delete())
