"""Notification outbox: rows exist even when the broker is down, are sent on commit, retried,
deduplicated, and flushed later."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core import mail
from django.utils import timezone

from applications.models import Notification
from applications.notifications import notification_enqueue, notification_send
from applications.tasks import notifications_flush


def test_enqueue_is_idempotent_and_sends_on_commit(
    submit_kk, citizen, tenant_a, in_tenant, django_capture_on_commit_callbacks
):
    app = submit_kk()
    with in_tenant(tenant_a):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                notification_enqueue(application=app, recipient_id=citizen.pk, kind="status:x",
                                     dedup_key="same", context={"subject": "Halo", "body": "Isi"})
        rows = Notification.objects.filter(dedup_key="same")
        assert rows.count() == 2  # email + sms, once each
        assert set(rows.values_list("status", flat=True)) == {"sent"}
        assert len(mail.outbox) == 1


def test_broker_down_leaves_rows_queued_and_the_flush_sends_them(
    submit_kk, citizen, tenant_a, in_tenant, django_capture_on_commit_callbacks
):
    app = submit_kk()
    with in_tenant(tenant_a):
        with mock.patch("applications.tasks.notification_send_task.apply_async",
                        side_effect=ConnectionError("broker down")), \
                django_capture_on_commit_callbacks(execute=True):
            notification_enqueue(application=app, recipient_id=citizen.pk, kind="status:y",
                                 dedup_key="outage", context={"subject": "S", "body": "B"})
        rows = Notification.objects.filter(dedup_key="outage")
        assert set(rows.values_list("status", flat=True)) == {"queued"}
        rows.update(created_at=timezone.now() - timedelta(minutes=2))
        assert notifications_flush() == 2
        assert set(rows.values_list("status", flat=True)) == {"sent"}


def test_failures_are_recorded_and_end_as_failed(submit_kk, citizen, tenant_a, in_tenant):
    app = submit_kk()
    with in_tenant(tenant_a):
        notification_enqueue(application=app, recipient_id=citizen.pk, kind="status:z",
                             dedup_key="fail", context={"subject": "S", "body": "B"})
        row = Notification.objects.get(dedup_key="fail", channel="email")
        with mock.patch("applications.notifications.send_mail", side_effect=OSError("smtp")):
            for _ in range(5):
                try:
                    notification_send(notification_id=row.pk)
                except Exception:
                    pass
        row.refresh_from_db()
        assert row.status == "failed" and row.attempts == 5 and "smtp" in row.last_error
