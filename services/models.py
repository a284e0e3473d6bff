"""Offerings: a tenant's adoption of a national catalogue service version (tenant schema).

An offering points at one published ``catalog.ServiceVersion`` (public schema, hence
``db_constraint=False`` and ``DO_NOTHING``: a public row must never cascade into 514
schemas). Publishing a newer version never changes a live offering; the tenant admin
adopts it explicitly (``services.services.offering_adopt_version``). The SLA policy of an
offering lives in ``sla.SlaPolicy``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REQUIREMENT_KINDS = ("document", "data", "condition")
_REQ_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


class Offering(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Daring di MPP Digital")
        EXTERNAL = "external", _("Aplikasi OPD (tautan)")
        COUNTER = "counter", _("Loket saja")

    service_version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, verbose_name=_("versi layanan"),
    )
    # Denormalised from the catalogue: stable, never renamed once published.
    service_code = models.CharField(_("kode layanan"), max_length=12, unique=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="offerings",
        verbose_name=_("OPD pemilik"),
    )
    channel = models.CharField(
        _("kanal"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    external_url = models.URLField(_("tautan aplikasi OPD"), max_length=300, blank=True)
    # [{code, label, kind, required, justification}]
    local_requirements = models.JSONField(_("persyaratan tambahan daerah"), default=list, blank=True)
    local_fee_amount = models.PositiveBigIntegerField(_("biaya daerah (Rp)"), default=0)
    local_fee_basis = models.CharField(_("dasar hukum biaya daerah"), max_length=300, blank=True)
    is_enabled = models.BooleanField(_("aktif"), default=True)
    adopted_at = models.DateTimeField(_("diadopsi pada"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
        related_name="+", db_constraint=False,
    )
    # [{number, adopted_at, adopted_by_id}] of earlier versions, oldest first.
    version_history = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_code"]
        verbose_name = _("layanan daerah")
        verbose_name_plural = _("layanan daerah")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="external") | ~models.Q(external_url=""),
                name="offering_external_needs_url",
            ),
        ]

    def __str__(self) -> str:
        return self.service_code

    @property
    def fee_forbidden(self) -> bool:
        version = self.service_version
        return bool(version.fee_forbidden or version.service.category.fee_forbidden)

    @property
    def total_fee(self) -> int:
        return int(self.service_version.fee_amount) + int(self.local_fee_amount)

    def clean(self) -> None:
        errors = offering_field_errors(self)
        if errors:
            raise ValidationError(errors)


def _requirement_errors(value: Any, national_codes: set[str]) -> list[str]:
    if not isinstance(value, list):
        return [gettext("Persyaratan tambahan harus berupa daftar.")]
    messages: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            messages.append(gettext("Persyaratan ke-%(n)s tidak valid.") % {"n": position})
            continue
        code = item.get("code")
        label = item.get("label")
        if not isinstance(code, str) or not _REQ_CODE_RE.match(code):
            messages.append(
                gettext(
                    "Persyaratan ke-%(n)s: kode harus huruf kecil, angka dan garis bawah "
                    "(mis. surat_domisili)."
                ) % {"n": position}
            )
        elif code in national_codes:
            messages.append(
                gettext("Persyaratan ke-%(n)s: kode %(code)s sudah dipakai persyaratan nasional.")
                % {"n": position, "code": code}
            )
        elif code in seen:
            messages.append(
                gettext("Persyaratan ke-%(n)s: kode %(code)s dipakai dua kali.")
                % {"n": position, "code": code}
            )
        if isinstance(code, str):
            seen.add(code)
        if not isinstance(label, str) or not label.strip():
            messages.append(gettext("Persyaratan ke-%(n)s: nama wajib diisi.") % {"n": position})
        if item.get("kind") not in REQUIREMENT_KINDS:
            messages.append(
                gettext("Persyaratan ke-%(n)s: jenis harus dokumen, data atau kondisi.")
                % {"n": position}
            )
        if not isinstance(item.get("required"), bool):
            messages.append(
                gettext("Persyaratan ke-%(n)s: tentukan wajib atau tidak.") % {"n": position}
            )
        if not isinstance(item.get("justification", ""), str):
            messages.append(
                gettext("Persyaratan ke-%(n)s: alasan harus berupa teks.") % {"n": position}
            )
    return messages


def offering_field_errors(offering: Offering) -> dict[str, list[str]]:
    """Rules of an offering as ``{field: [messages]}`` in Bahasa Indonesia."""
    errors: dict[str, list[str]] = {}
    if offering.channel == Offering.Channel.EXTERNAL and not offering.external_url:
        errors["external_url"] = [
            gettext("Tautan aplikasi OPD wajib diisi bila kanalnya aplikasi OPD.")
        ]
    version = offering.service_version if offering.service_version_id else None
    if version is not None and offering.local_fee_amount and offering.fee_forbidden:
        basis = version.fee_basis or "UU 24/2013 Pasal 79A"
        errors["local_fee_amount"] = [
            gettext(
                "Layanan ini tidak boleh dipungut biaya (%(basis)s). Biaya daerah harus Rp0."
            ) % {"basis": basis}
        ]
    elif offering.local_fee_amount and not offering.local_fee_basis.strip():
        errors["local_fee_basis"] = [
            gettext("Sebutkan dasar hukum daerah (mis. Perda) untuk biaya daerah.")
        ]
    national = version.requirement_codes() if version is not None else set()
    requirement_errors = _requirement_errors(offering.local_requirements, national)
    if requirement_errors:
        errors["local_requirements"] = requirement_errors
    if offering.agency_id and not offering.agency.is_active:
        errors["agency"] = [gettext("OPD ini tidak aktif; pilih OPD lain.")]
    return errors


class Announcement(models.Model):
    """A notice on the portal home (pengumuman), written by the tenant admin.

    Shown while published and inside its optional date window (the hall's local dates)."""

    TITLE_MAX = 140
    BODY_MAX = 2000

    title = models.CharField(_("judul"), max_length=TITLE_MAX)
    body = models.TextField(_("isi"), max_length=BODY_MAX)
    link_url = models.URLField(_("tautan (opsional)"), max_length=300, blank=True)
    is_published = models.BooleanField(_("tampilkan di portal"), default=False)
    starts_on = models.DateField(_("tampil mulai"), null=True, blank=True)
    ends_on = models.DateField(_("tampil sampai"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
        related_name="+", db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pengumuman")
        verbose_name_plural = _("pengumuman")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="announcement_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title
