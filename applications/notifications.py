"""Notifications: a transactional outbox.

`notification_enqueue` inserts one row per channel (email, SMS) in the caller's transaction,
idempotently (unique recipient + channel + dedup_key), and asks Celery to send it on commit.
If the broker is down the row stays `queued`; the periodic `notifications_flush` re-sends
queued rows older than a minute. Sending retries with backoff and marks the row `failed`
after the last attempt. SMS goes through `accounts.sms` when that module exists.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .inserts import insert_new
from .models import Application, ApplicationEvent, Notification, Status

logger = logging.getLogger(__name__)

FLUSH_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 5

STATUS_MESSAGES = {
    Status.SUBMITTED: _l("telah kami terima"),
    Status.IN_VERIFICATION: _l("sedang diverifikasi petugas"),
    Status.RETURNED: _l("dikembalikan untuk perbaikan"),
    Status.RESUBMITTED: _l("telah diajukan ulang"),
    Status.IN_PROCESS: _l("sedang diproses"),
    Status.APPROVED: _l("telah disetujui"),
    Status.REJECTED: _l("ditolak"),
    Status.COMPLETED: _l("telah selesai"),
    Status.CANCELLED: _l("telah dibatalkan"),
}


def _sms_available() -> bool:
    try:
        import accounts.sms  # noqa: F401
    except ImportError:
        return False
    return True


def _recipient(recipient_id: int) -> Any:
    from accounts.models import User

    return User.objects.filter(pk=recipient_id).only("email", "phone", "full_name").first()


def render_message(*, kind: str, context: Mapping[str, Any]) -> tuple[str, str]:
    code = context.get("tracking_code") or ""
    tenant = context.get("tenant_name") or ""
    if kind.startswith("status:"):
        status = kind.split(":", 1)[1]
        state = STATUS_MESSAGES.get(status, status)
        subject = _("Permohonan %(code)s %(state)s") % {"code": code, "state": state}
        lines = [
            _("Permohonan %(service)s Anda (%(code)s) di MPP Digital %(tenant)s %(state)s.")
            % {"service": context.get("service_name", ""), "code": code, "tenant": tenant,
               "state": state},
        ]
        if context.get("note"):
            lines.append(_("Catatan petugas: %(note)s") % {"note": context["note"]})
        if context.get("url"):
            lines.append(_("Lihat rinciannya: %(url)s") % {"url": context["url"]})
        return subject, "\n".join(lines)
    subject = str(context.get("subject") or _("Pemberitahuan MPP Digital"))
    return subject, str(context.get("body") or subject)


def notification_enqueue(
    *,
    application: Application | None,
    recipient_id: int,
    kind: str,
    dedup_key: str,
    context: Mapping[str, Any],
    recipient: Any = None,
) -> list[Notification]:
    """Insert the notification rows (one per channel the recipient has) and send them on
    commit. Idempotent: the same (recipient, channel, dedup_key) is inserted once (one
    INSERT … ON CONFLICT DO NOTHING for all channels; one task published on commit).
    `recipient`: the user row when the caller has it loaded (saves reading it again)."""
    user = recipient if getattr(recipient, "pk", None) == recipient_id else _recipient(
        recipient_id)
    if user is None:
        return []
    channels = []
    if user.email:
        channels.append(Notification.Channel.EMAIL)
    if user.phone and _sms_available():
        channels.append(Notification.Channel.SMS)
    if not channels:
        return []
    subject, body = render_message(kind=kind, context=context)
    created = insert_new([
        Notification(application=application, recipient_id=recipient_id, channel=channel,
                     kind=kind, dedup_key=dedup_key, subject=subject, body=body)
        for channel in channels
    ], key=("recipient_id", "channel", "dedup_key"))
    if created:
        ids = [row.pk for row in created]
        schema = connection.schema_name  # captured now: the callback may run in another schema
        transaction.on_commit(lambda: _dispatch(ids, schema))
    return created


@dataclass(frozen=True)
class NotificationRequest:
    application_id: int | None
    recipient_id: int
    kind: str
    dedup_key: str
    context: Mapping[str, Any]


def notifications_enqueue_many(requests: Sequence[NotificationRequest]) -> int:
    """`notification_enqueue` for a batch (the SLA sweep): the recipients in one query, the
    rows already there in one, the new rows in one insert, sent on commit. Same idempotence
    (unique recipient + channel + dedup_key; a concurrent insert is skipped). Returns the
    number of rows inserted."""
    from accounts.models import User

    wanted = [r for r in requests if r.recipient_id]
    if not wanted:
        return 0
    users = {
        u.pk: u for u in User.objects.filter(pk__in={r.recipient_id for r in wanted})
        .only("email", "phone")
    }
    sms = _sms_available()
    rows: dict[tuple[int, str, str], Notification] = {}
    for request in wanted:
        user = users.get(request.recipient_id)
        if user is None:
            continue
        channels = ([Notification.Channel.EMAIL] if user.email else []) + (
            [Notification.Channel.SMS] if user.phone and sms else [])
        if not channels:
            continue
        subject, body = render_message(kind=request.kind, context=request.context)
        for channel in channels:
            rows.setdefault((request.recipient_id, channel, request.dedup_key), Notification(
                application_id=request.application_id, recipient_id=request.recipient_id,
                channel=channel, kind=request.kind, dedup_key=request.dedup_key,
                subject=subject, body=body,
            ))
    if not rows:
        return 0
    keys = {key for _r, _c, key in rows}
    for existing in Notification.objects.filter(dedup_key__in=keys).values_list(
        "recipient_id", "channel", "dedup_key"
    ):
        rows.pop(existing, None)
    if not rows:
        return 0
    Notification.objects.bulk_create(list(rows.values()), ignore_conflicts=True,
                                     batch_size=1000)
    ids = [
        pk for pk, recipient, channel, key in Notification.objects.filter(
            dedup_key__in={key for _r, _c, key in rows}, status=Notification.State.QUEUED,
        ).values_list("pk", "recipient_id", "channel", "dedup_key")
        if (recipient, channel, key) in rows
    ]
    if ids:
        schema = connection.schema_name
        transaction.on_commit(lambda: _dispatch(ids, schema))
    return len(ids)


DISPATCH_BATCH = 200


def _dispatch(ids: list[int], schema: str | None = None) -> None:
    """Publish the rows' sending: one task for a single row, else one task per batch that
    the worker fans out to one task per row (each retried on its own), so a submission's
    email and SMS cost the request one publish, not two."""
    from .tasks import notification_send_task, notifications_send_task

    headers = {"_schema_name": schema or connection.schema_name}
    for start in range(0, len(ids), DISPATCH_BATCH):
        batch = ids[start:start + DISPATCH_BATCH]
        try:
            if len(batch) == 1:
                notification_send_task.apply_async(args=[batch[0]], headers=headers)
            else:
                notifications_send_task.apply_async(args=[batch], headers=headers)
        except Exception:  # broker down: the rows stay queued; notifications_flush resends
            logger.warning("notifications %s not dispatched; left queued for the flush", batch,
                           exc_info=True)


def notifications_fan_out(ids: list[int]) -> None:
    """The worker's side of a batch (`notifications_send_task`): one send task per row."""
    from .tasks import notification_send_task

    headers = {"_schema_name": connection.schema_name}
    for pk in ids:
        notification_send_task.apply_async(args=[pk], headers=headers)


def notify_status_change(
    *, application: Application, event: ApplicationEvent, recipient: Any = None
) -> None:
    """The applicant's notifications of a status change (`recipient`: the applicant's user
    row when the caller has it, e.g. the citizen submitting)."""
    tenant = getattr(connection, "tenant", None)
    context = {
        "tracking_code": application.tracking_code or "",
        "service_name": _service_name(application),
        "tenant_name": getattr(tenant, "name", ""),
        "note": event.note if event.to_status in {Status.RETURNED, Status.REJECTED} else "",
        "url": _absolute_url(f"/permohonan/{application.pk}/"),
    }
    notification_enqueue(
        application=application, recipient_id=application.applicant_id,
        kind=f"status:{event.to_status}", dedup_key=f"event:{event.pk}", context=context,
        recipient=recipient,
    )


def _service_name(application: Application) -> str:
    """The name of the application's service version: the one already loaded with the
    application or its offering when there is one (a submission has it), else one query."""
    version = loaded_service_version(application)
    if version is None:
        from catalog.models import ServiceVersion

        version = ServiceVersion.objects.filter(pk=application.service_version_id).only(
            "name"
        ).first()
    return version.name if version else application.service_code


def loaded_service_version(application: Application) -> Any:
    """The application's ServiceVersion if already in memory (selected with the application
    or with its offering), else None; never a query."""
    if Application.service_version.is_cached(application):
        return application.service_version
    if Application.offering.is_cached(application):
        offering = application.offering
        descriptor = getattr(type(offering), "service_version", None)
        if (offering is not None and descriptor is not None and descriptor.is_cached(offering)
                and offering.service_version_id == application.service_version_id):
            return offering.service_version
    return None


def _absolute_url(path: str) -> str:
    tenant = getattr(connection, "tenant", None)
    slug = getattr(tenant, "slug", "")
    if not slug or getattr(tenant, "schema_name", "public") == "public":
        return path
    from core.context_processors import tenant_url

    return tenant_url(slug, path)


def notification_send(*, notification_id: int) -> Notification | None:
    """Send one queued row (locked, so a flush and a retry never double-send). A failure is
    recorded on the row (attempts, last error; `failed` after the last attempt) and raised as
    NotificationSendFailed so the task retries."""
    failure: NotificationSendFailed | None = None
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.State.QUEUED).first()
        )
        if row is None:
            return None
        user = _recipient(row.recipient_id)
        row.attempts += 1
        try:
            if user is None:
                raise RuntimeError("recipient no longer exists")
            if row.channel == Notification.Channel.EMAIL:
                send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [user.email])
            else:
                from accounts.sms import send_sms

                send_sms(user.phone, f"{row.subject}. {row.body}"[:480])
        except Exception as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = Notification.State.FAILED
            row.save(update_fields=["attempts", "last_error", "status"])
            failure = NotificationSendFailed(row.last_error, final=row.status == "failed")
            failure.__cause__ = exc
        else:
            row.status = Notification.State.SENT
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if failure is not None:
        raise failure
    return row


class NotificationSendFailed(Exception):
    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


def notifications_due_for_flush(*, now: Any = None) -> list[int]:
    cutoff = (now or timezone.now()) - FLUSH_AFTER
    return list(
        Notification.objects.filter(status=Notification.State.QUEUED, created_at__lte=cutoff)
        .order_by("created_at").values_list("pk", flat=True)[:500]
    )
