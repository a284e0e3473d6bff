"""Writes of the signing app: request a signature for a freshly generated output, sign it
(idempotent, retried), and let staff retry a failed one now."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import SigningFailed
from .models import SignatureJob
from .signers import SignerUnavailable, SignRequest, signer_for_deployment

logger = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=1)


def _backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def output_signature_request(*, application: Any, now: dt.datetime | None = None
                             ) -> SignatureJob:
    """Call inside the transaction that stored the unsigned render: (re)opens the signing
    job for this output and signs it in the background once the transaction commits. Until
    then the output is withheld from the citizen (signing.selectors.output_withheld)."""
    from core.tasks_dispatch import enqueue_on_commit

    from .tasks import output_sign_task

    now = now or timezone.now()
    job, _created = SignatureJob.objects.update_or_create(
        schema_name=connection.schema_name, application_id=application.pk,
        defaults={
            "state": SignatureJob.State.PENDING, "attempts": 0, "last_error": "",
            "source_sha256": application.output_sha256, "signed_sha256": "",
            "revision_sha256": "", "signatory": "", "certificate_fingerprint": "",
            "signer": "", "requested_at": now, "signed_at": None, "next_attempt_at": now,
        },
    )
    enqueue_on_commit(output_sign_task, application_id=application.pk)
    return job


def _request_for(application: Any, pdf: bytes) -> SignRequest:
    from applications.output_context import signatory_for

    signatory = signatory_for(application)
    tenant = getattr(connection, "tenant", None)
    document = application.output_name
    if application.output_number:
        document = f"{document} No. {application.output_number}"
    return SignRequest(
        pdf=pdf, signatory=str(signatory.name or ""), position=str(signatory.position or ""),
        agency=str(signatory.agency or ""), tenant=str(getattr(tenant, "name", "") or ""),
        document=document,
    )


def _record_failure(job: SignatureJob, exc: Exception, now: dt.datetime) -> None:
    attempts = job.attempts + 1
    message = str(exc) if isinstance(exc, SignerUnavailable) else type(exc).__name__
    SignatureJob.objects.filter(pk=job.pk).update(
        state=SignatureJob.State.FAILED, attempts=attempts, last_error=message[:300],
        next_attempt_at=now + _backoff(attempts), updated_at=now,
    )


def output_sign(*, application_id: int, now: dt.datetime | None = None) -> SignatureJob | None:
    """Sign the application's stored output and replace the file with the signed one.

    Idempotent: a signed job, or one whose output was replaced since (a newer generate resets
    the job; an uploaded output is not ours to sign), is left alone. The signer is called
    outside any transaction (a remote signer may take seconds); the swap then re-checks, under
    a row lock, that the output is still the render that was signed."""
    from applications.models import Application

    now = now or timezone.now()
    schema = connection.schema_name
    job = SignatureJob.objects.filter(schema_name=schema, application_id=application_id).first()
    if job is None or job.state == SignatureJob.State.SIGNED:
        return job
    application = Application.objects.select_related("agency").filter(pk=application_id).first()
    if (application is None or not application.output_file
            or application.output_source != Application.OutputSource.GENERATED):
        job.delete()
        return None
    if application.output_sha256 != job.source_sha256:
        return job  # a newer render is on its way (its request reset this job)
    with application.output_file.open("rb") as handle:
        unsigned = handle.read()
    try:
        signed = signer_for_deployment().sign(_request_for(application, unsigned))
        from .pades import signed_revision_sha256

        revision = signed_revision_sha256(signed.pdf)
    except Exception as exc:
        logger.warning("Signing output %s/%s failed: %s", schema, application_id,
                       type(exc).__name__)
        _record_failure(job, exc, now)
        raise SigningFailed(_("Tanda tangan elektronik gagal; dokumen belum diberikan kepada "
                              "pemohon dan akan dicoba lagi otomatis.")) from exc
    with transaction.atomic():
        job = SignatureJob.objects.select_for_update().filter(pk=job.pk).first()
        locked = Application.objects.select_for_update().filter(pk=application_id).first()
        if job is None or locked is None or job.state == SignatureJob.State.SIGNED:
            return job
        if locked.output_sha256 != job.source_sha256:
            return job
        old = locked.output_file.name
        sha = hashlib.sha256(signed.pdf).hexdigest()
        locked.output_file.save("output.pdf", ContentFile(signed.pdf), save=False)
        new_name = locked.output_file.name
        storage = locked.output_file.storage
        transaction.on_commit(lambda: storage.delete(old) if old != new_name else None)
        locked.output_sha256 = sha
        try:
            locked.save(update_fields=["output_file", "output_sha256", "updated_at"])
        except Exception:
            storage.delete(new_name)
            raise
        request = _request_for(locked, b"")
        job.state = SignatureJob.State.SIGNED
        job.attempts += 1
        job.last_error = ""
        job.signer = signed.signer
        job.signed_sha256 = sha
        job.revision_sha256 = revision
        job.signatory = request.signatory[:200]
        job.certificate_fingerprint = signed.certificate_fingerprint
        job.signed_at = now
        job.next_attempt_at = None
        job.save()
    return job


def signature_retry_now(*, application_id: int, actor: Any) -> SignatureJob | None:
    """Staff asked to retry a failed signature now (the sweep would anyway)."""
    from core.tasks_dispatch import enqueue_on_commit

    from .tasks import output_sign_task

    job = SignatureJob.objects.filter(schema_name=connection.schema_name,
                                      application_id=application_id).first()
    if job is None or job.state == SignatureJob.State.SIGNED:
        return job
    with transaction.atomic():
        SignatureJob.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now())
        enqueue_on_commit(output_sign_task, application_id=application_id)
    logger.info("Signature retry of %s requested by user %s", application_id, actor.pk)
    return job


def signature_jobs_due(*, now: dt.datetime | None = None, limit: int = 500
                       ) -> list[tuple[str, int]]:
    """(schema, application id) of unsigned jobs whose next attempt is due (public table)."""
    now = now or timezone.now()
    return list(
        SignatureJob.objects.exclude(state=SignatureJob.State.SIGNED)
        .filter(next_attempt_at__lte=now - dt.timedelta(seconds=30))
        .order_by("next_attempt_at").values_list("schema_name", "application_id")[:limit]
    )
