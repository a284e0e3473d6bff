"""Reads of the signing app: the signature state of an output, and the verification of an
uploaded PDF (no writes: checking a file changes nothing, in any schema)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from .models import Credential, SignatureJob
from .pades import PdfReport, SignatureReport


def signature_job_for(*, application_id: int) -> SignatureJob | None:
    return SignatureJob.objects.filter(schema_name=connection.schema_name,
                                       application_id=application_id).first()


def output_withheld(*, application: Any) -> bool:
    """True while a generated output waits for (or failed) its signature: the stored file is
    the unsigned render and must not be handed out as the issued document."""
    job = signature_job_for(application_id=application.pk)
    return job is not None and job.state != SignatureJob.State.SIGNED


def deployment_roots() -> list[Any]:
    """The deployment CA (as asn1crypto), or nothing when no CA was ever created."""
    from .pades import asn1_certificate

    credential = Credential.objects.filter(kind=Credential.Kind.CA, state="current").first()
    if credential is None:
        return []
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(credential.certificate_pem.encode())
    return [asn1_certificate(cert.public_bytes(serialization.Encoding.DER))]


@dataclass
class CheckedSignature:
    report: SignatureReport
    # Only when the signed revision is an output of *this* tenant: its record
    application: Any = None
    revoked: bool = False
    expired: bool = False
    certificate_revoked: bool = False


@dataclass
class PdfVerification:
    report: PdfReport
    signatures: list[CheckedSignature] = field(default_factory=list)
    today: dt.date | None = None

    @property
    def readable(self) -> bool:
        return self.report.readable

    @property
    def signed(self) -> bool:
        return bool(self.signatures)


def pdf_verification(*, pdf: bytes) -> PdfVerification:
    """Validate the PDF's signatures against the deployment CA with pyHanko, and look the
    signed revision up among this tenant's outputs (revoked? expired?). A document of another
    tenant is reported from what the PDF itself says; nothing of that tenant is read."""
    from applications.models import Application

    from .pades import verify

    roots = deployment_roots()
    report = verify(pdf, trust_roots=roots) if roots else _untrusted(pdf)
    today = timezone.localdate()
    result = PdfVerification(report=report, today=today)
    revoked_prints = set(Credential.objects.filter(state=Credential.State.REVOKED)
                         .values_list("fingerprint_sha256", flat=True))
    for item in report.signatures:
        checked = CheckedSignature(report=item)
        if item.revision_sha256:
            job = SignatureJob.objects.filter(
                schema_name=connection.schema_name, revision_sha256=item.revision_sha256,
                state=SignatureJob.State.SIGNED,
            ).first()
            if job is not None:
                checked.application = (
                    Application.objects.select_related("agency")
                    .filter(pk=job.application_id).first()
                )
                checked.certificate_revoked = job.certificate_fingerprint in revoked_prints
        app = checked.application
        if app is not None:
            checked.revoked = app.status == Application.Status.CANCELLED
            checked.expired = bool(app.output_valid_until and app.output_valid_until < today)
        result.signatures.append(checked)
    return result


def _untrusted(pdf: bytes) -> PdfReport:
    from .pades import verify

    return verify(pdf, trust_roots=[])
