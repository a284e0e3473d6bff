"""Onboarding of a kab/kota (public schema): registration, wizard progress, staff invitations.

Public tables only reference public rows (tenants, users). Tenant rows (OPDs) are referred to
by id without a foreign key, since they live in another schema."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .storage import private_registration_storage


def _token() -> str:
    return secrets.token_urlsafe(32)


def letter_upload_to(instance: Registration, filename: str) -> str:
    return f"{instance.region_code.replace('.', '')}/{secrets.token_hex(16)}.pdf"


class Registration(models.Model):
    """A kab/kota asking to join. One live registration per kab/kota (partial unique index)."""

    class Status(models.TextChoices):
        PENDING_VERIFICATION = "pending_verification", _("Menunggu verifikasi email")
        PENDING_APPROVAL = "pending_approval", _("Menunggu persetujuan kementerian")
        APPROVED = "approved", _("Disetujui")
        PROVISIONING = "provisioning", _("Sedang disiapkan")
        READY = "ready", _("Siap")
        REJECTED = "rejected", _("Ditolak")
        FAILED = "failed", _("Penyiapan gagal")
        EXPIRED = "expired", _("Kedaluwarsa (email tidak diverifikasi)")

    LIVE_STATUSES = (
        Status.PENDING_VERIFICATION,
        Status.PENDING_APPROVAL,
        Status.APPROVED,
        Status.PROVISIONING,
        Status.READY,
        Status.FAILED,
    )

    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    region_code = models.CharField(_("kode kab/kota"), max_length=5)
    regency_name = models.CharField(_("kabupaten/kota"), max_length=120)
    officer_name = models.CharField(_("nama petugas"), max_length=150)
    officer_position = models.CharField(_("jabatan"), max_length=150)
    officer_email = models.EmailField(_("email dinas"))
    officer_phone = models.CharField(_("nomor telepon"), max_length=20)
    letter = models.FileField(
        _("surat penunjukan"), storage=private_registration_storage, upload_to=letter_upload_to,
        max_length=200,
    )
    # Hash of the password chosen at registration, used once to create the account when the
    # email is verified (an existing account is linked instead and keeps its password).
    password_hash = models.CharField(max_length=128, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.PENDING_VERIFICATION
    )
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="registrations",
    )
    auto_approved = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pendaftaran daerah")
        verbose_name_plural = _("pendaftaran daerah")
        constraints = [
            models.UniqueConstraint(
                fields=["region_code"],
                condition=Q(
                    status__in=[
                        "pending_verification", "pending_approval", "approved",
                        "provisioning", "ready", "failed",
                    ]
                ),
                name="onboarding_one_live_registration_per_regency",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.regency_name} ({self.get_status_display()})"


class OnboardingProgress(models.Model):
    """Wizard progress of one tenant, readable by the ministry.

    `steps`: {step: {"done": bool, "at": iso datetime, "by": user id}}.
    `profile`: {"address", "contact_email", "contact_phone", "logo"} (logo: media path)."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="onboarding_progress"
    )
    steps = models.JSONField(default=dict, blank=True)
    profile = models.JSONField(default=dict, blank=True)
    went_live_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("progres orientasi")
        verbose_name_plural = _("progres orientasi")

    def __str__(self) -> str:
        return f"{self.tenant}"

    def is_done(self, step: str) -> bool:
        return bool(self.steps.get(step, {}).get("done"))


class Invitation(models.Model):
    """A staff invitation to one tenant (public table keyed by tenant; the role is granted in
    the tenant's schema when accepted on the tenant host)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("peran"), max_length=20)
    agency_id = models.BigIntegerField(null=True, blank=True)  # agencies.Agency in the tenant
    agency_name = models.CharField(max_length=150, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("undangan staf")
        verbose_name_plural = _("undangan staf")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email", "role", "agency_id"],
                condition=Q(accepted_at__isnull=True),
                name="onboarding_one_open_invitation",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant}"
