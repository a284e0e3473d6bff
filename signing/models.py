"""Electronic signatures (TTE) of issued outputs: the deployment's keys and certificates, and
one signing job per issued output (docs/adr/0009-signed-outputs.md).

Both tables live in the public schema (SHARED_APPS): the certificate authority is one per
deployment, a tenant's signing certificate is a row keyed by its schema, and the retry sweep
reads one table instead of 514 schemas. Rows are always read filtered by the current schema."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Credential(models.Model):
    """A certificate and its private key, sealed (signing.crypto) - never stored in clear."""

    class Kind(models.TextChoices):
        CA = "ca", _("Otoritas sertifikat deployment")
        TSA = "tsa", _("Otoritas cap waktu lokal")
        TENANT = "tenant", _("Sertifikat penandatangan daerah")

    class State(models.TextChoices):
        CURRENT = "current", _("Aktif")
        RETIRED = "retired", _("Tidak dipakai lagi")
        REVOKED = "revoked", _("Dicabut")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    schema_name = models.CharField(max_length=63, blank=True, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.CURRENT)
    subject = models.CharField(max_length=300)
    serial_hex = models.CharField(max_length=64)
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    certificate_pem = models.TextField()
    private_key_sealed = models.TextField()
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "schema_name"], condition=Q(state="current"),
                name="signing_one_current_credential",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.schema_name or '-'}:{self.serial_hex[:12]}"


class SignatureJob(models.Model):
    """Signing of one application's generated output. Until `state` is signed the stored file
    is the unsigned render: it is not handed out to the citizen (signing.selectors)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu tanda tangan elektronik")
        SIGNED = "signed", _("Ditandatangani secara elektronik")
        FAILED = "failed", _("Tanda tangan elektronik gagal; dicoba lagi otomatis")

    schema_name = models.CharField(max_length=63)
    application_id = models.BigIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    signer = models.CharField(max_length=20, blank=True)  # local | bsre
    source_sha256 = models.CharField(max_length=64)  # the unsigned render to sign
    signed_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # sha256 of the signed revision (the file up to the end of the signature's byte range):
    # still matches after a reader or a later archive timestamp appends an incremental update
    revision_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    signatory = models.CharField(max_length=200, blank=True)
    certificate_fingerprint = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "application_id"],
                                    name="signing_one_job_per_output"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="signing_job_due")]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.application_id}:{self.state}"
