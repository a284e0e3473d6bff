"""`applications.inserts.insert_new`: one INSERT … ON CONFLICT DO NOTHING RETURNING; the rows a
unique constraint already holds are skipped, the others get their pk, and the transaction
stays usable (no savepoint, no error)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.inserts import insert_new
from applications.models import Notification


def _row(app, citizen, channel: str, key: str) -> Notification:
    return Notification(application=app, recipient_id=citizen.pk, channel=channel,
                        kind="status:x", dedup_key=key, subject="S", body="B")


def test_new_rows_are_inserted_and_existing_ones_skipped_in_one_statement(
    submit_kk, citizen, tenant_a, in_tenant
):
    app = submit_kk()
    with in_tenant(tenant_a):
        [first] = insert_new([_row(app, citizen, "email", "k1")],
                             key=("recipient_id", "channel", "dedup_key"))
        assert first.pk and not first._state.adding
        with CaptureQueriesContext(connection) as captured:
            inserted = insert_new(
                [_row(app, citizen, "email", "k1"), _row(app, citizen, "sms", "k1"),
                 _row(app, citizen, "email", "k2")],
                key=("recipient_id", "channel", "dedup_key"))
        assert len(captured) == 1 and "ON CONFLICT DO NOTHING" in captured[0]["sql"]
        assert sorted((r.channel, r.dedup_key) for r in inserted) == [("email", "k2"),
                                                                      ("sms", "k1")]
        assert all(r.pk for r in inserted)
        # a single object that conflicts: nothing inserted, no error, transaction usable
        assert insert_new([_row(app, citizen, "email", "k2")],
                          key=("recipient_id", "channel", "dedup_key")) == []
        assert Notification.objects.filter(dedup_key__in=["k1", "k2"]).count() == 3
        stored = Notification.objects.get(pk=first.pk)
        assert stored.status == "queued" and stored.created_at is not None
