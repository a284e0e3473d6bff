"""OPDs (agencies) and staff roles of one tenant (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """Organisasi Perangkat Daerah, e.g. Disdukcapil, DPMPTSP, Dinas Kesehatan."""

    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")

    def __str__(self) -> str:
        return self.short_name or self.name


class StaffRole(models.Model):
    """Authorisation is per tenant: a role row in this tenant's schema for a global user."""

    class Role(models.TextChoices):
        TENANT_ADMIN = "tenant_admin", _("Admin tenant")
        AGENCY_HEAD = "agency_head", _("Kepala OPD")
        OFFICER = "officer", _("Petugas")
        FRONT_DESK = "front_desk", _("Petugas loket")

    # The user is in the public schema: a delete there must never cascade into tenant tables
    # (they are not on its search_path). Account erasure removes roles (accounts.erasure).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False,
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="staff_roles"
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="staffrole_unique_per_agency",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(role="tenant_admin") | models.Q(agency__isnull=False),
                name="staffrole_agency_required_except_admin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.agency or ''}".strip()


class AgencyKindMapping(models.Model):
    """Which of this tenant's OPDs plays each kind of OPD that national workflows name
    (`catalog.workflow.AGENCY_KINDS`, e.g. `dinkes` → "Dinas Kesehatan Kota Bandung").

    A workflow step is held by the OPD mapped to its kind; a step instance keeps the OPD it was
    started with, so a later change of the mapping moves no file that is already running."""

    kind = models.CharField(_("jenis OPD"), max_length=30, unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="kind_mappings", verbose_name=_("OPD")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("pemetaan jenis OPD")
        verbose_name_plural = _("pemetaan jenis OPD")

    def __str__(self) -> str:
        return f"{self.kind} → {self.agency}"
