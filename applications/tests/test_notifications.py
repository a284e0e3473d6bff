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
                mock.patch("applications.tasks.notifications_send_task.apply_async",
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


def test_one_task_is_published_for_both_channels_and_the_worker_fans_out(
    submit_kk, citizen, tenant_a, in_tenant, django_capture_on_commit_callbacks
):
    """A submission's email and SMS rows cost the request one publish (issue 14); the worker's
    batch task publishes one send task per row, which sends, retries and flushes on its own."""
    from applications.tasks import notifications_send_task

    app = submit_kk()
    with in_tenant(tenant_a):
        with mock.patch("applications.tasks.notifications_send_task.apply_async") as batch, \
                mock.patch("applications.tasks.notification_send_task.apply_async") as single, \
                django_capture_on_commit_callbacks(execute=True):
            created = notification_enqueue(
                application=app, recipient_id=citizen.pk, kind="status:x", dedup_key="fan",
                context={"subject": "S", "body": "B"}, recipient=citizen)
        ids = sorted(row.pk for row in created)
        assert len(ids) == 2 and single.call_count == 0
        assert batch.call_count == 1
        assert sorted(batch.call_args.kwargs["args"][0]) == ids
        assert batch.call_args.kwargs["headers"] == {"_schema_name": tenant_a.schema_name}
        with mock.patch("applications.tasks.notification_send_task.apply_async") as single:
            assert notifications_send_task.run(ids) == 2
        assert sorted(c.kwargs["args"][0] for c in single.call_args_list) == ids
        assert all(c.kwargs["headers"] == {"_schema_name": tenant_a.schema_name}
                   for c in single.call_args_list)


def test_enqueue_inserts_the_rows_once_without_savepoints(
    submit_kk, citizen, tenant_a, in_tenant
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = submit_kk()
    with in_tenant(tenant_a):
        with CaptureQueriesContext(connection) as first:
            created = notification_enqueue(
                application=app, recipient_id=citizen.pk, kind="status:x", dedup_key="once",
                context={"subject": "S", "body": "B"}, recipient=citizen)
        again = notification_enqueue(
            application=app, recipient_id=citizen.pk, kind="status:x", dedup_key="once",
            context={"subject": "S", "body": "B"})  # the recipient read here
        assert {row.channel for row in created} == {"email", "sms"} and again == []
        statements = [q["sql"].split()[0] for q in first.captured_queries]
        assert [w for w in statements if w != "SET"] == ["INSERT"]  # SET: the tenant's path
        assert Notification.objects.filter(dedup_key="once").count() == 2
