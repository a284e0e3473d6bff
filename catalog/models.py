"""National service catalogue (public schema): categories, services and their versions.

A ServiceVersion carries the 14 Standar Pelayanan components (UU 25/2009 Pasal 21;
PermenPANRB 15/2014): the 6 published ones as structured data, the 8 internal ones as text.
Published versions are immutable: a change is a new version (catalog.services), and tenants
adopt new versions explicitly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SERVICE_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$",
    _("Kode layanan hanya boleh berisi huruf kapital, angka dan tanda hubung (mis. KTP-BARU)."),
)


class Category(models.Model):
    class Code(models.TextChoices):
        ADM = "ADM", _("Administrasi Kependudukan")
        IZN = "IZN", _("Perizinan")
        NON = "NON", _("Non-Perizinan")

    code = models.CharField(_("kode"), max_length=3, choices=Code.choices, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    name_en = models.CharField(_("nama (Inggris)"), max_length=100, blank=True)
    description = models.TextField(_("deskripsi"), blank=True)
    fee_forbidden = models.BooleanField(
        _("biaya dilarang"), default=False,
        help_text=_("Seluruh layanan kategori ini tidak boleh dipungut biaya."),
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("kategori layanan")
        verbose_name_plural = _("kategori layanan")

    def __str__(self) -> str:
        return self.name

    @property
    def deemed_approval_forbidden(self) -> bool:
        """Adminduk documents (KK, KTP-el, KIA, akta …) are printed by Disdukcapil from the
        central SIAK database (reference/domain.md, "SIAK / online adminduk"): a missed deadline
        cannot make one "dianggap dikabulkan" (UU 30/2014 Pasal 53), there is nothing the
        regency could issue by law alone. Deemed approval is for permits only."""
        return self.code in DEEMED_APPROVAL_FORBIDDEN_CATEGORIES


DEEMED_APPROVAL_FORBIDDEN_CATEGORIES = frozenset({Category.Code.ADM})


class Service(models.Model):
    """A national service; its content lives in versions. `name` mirrors the latest
    published version (kept by catalog.services) so lists and search need no join."""

    code = models.CharField(
        _("kode"), max_length=12, unique=True, validators=[SERVICE_CODE_VALIDATOR]
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="services", verbose_name=_("kategori")
    )
    name = models.CharField(_("nama"), max_length=200)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__order", "code"]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class ServiceVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        PUBLISHED = "published", _("Terbit")
        RETIRED = "retired", _("Tidak berlaku")

    class SlaUnit(models.TextChoices):
        WORKING_DAYS = "working_days", _("hari kerja")
        WORKING_HOURS = "working_hours", _("jam kerja")
        CALENDAR_DAYS = "calendar_days", _("hari kalender")

    class Fulfilment(models.TextChoices):
        SIAK_HANDOFF = "siak_handoff", _("Serah-terima ke SIAK (Disdukcapil menerbitkan)")
        PLATFORM_ISSUED = "platform_issued", _("Diterbitkan platform")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="versions", verbose_name=_("layanan")
    )
    number = models.PositiveIntegerField(_("nomor versi"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    # Identity
    name = models.CharField(_("nama"), max_length=200)
    name_en = models.CharField(_("nama (Inggris)"), max_length=200, blank=True)
    description = models.TextField(_("deskripsi"), blank=True)
    owning_agency_hint = models.CharField(_("OPD pemilik (saran)"), max_length=100, blank=True)
    fulfilment = models.CharField(
        _("penyelesaian"), max_length=20, choices=Fulfilment.choices,
        default=Fulfilment.PLATFORM_ISSUED,
    )

    # The 6 published components
    requirements = models.JSONField(_("persyaratan"), default=list, blank=True)
    procedure = models.JSONField(_("sistem, mekanisme, prosedur"), default=list, blank=True)
    sla_value = models.PositiveIntegerField(
        _("jangka waktu"), default=1, validators=[MinValueValidator(1)]
    )
    sla_unit = models.CharField(
        _("satuan jangka waktu"), max_length=20, choices=SlaUnit.choices,
        default=SlaUnit.WORKING_DAYS,
    )
    sla_source = models.TextField(_("sumber jangka waktu"), blank=True)
    sla_is_platform_default = models.BooleanField(_("nilai default platform"), default=False)
    fee_amount = models.PositiveBigIntegerField(_("biaya (Rp)"), default=0)
    fee_forbidden = models.BooleanField(_("biaya dilarang"), default=False)
    fee_basis = models.TextField(_("dasar biaya"), blank=True)
    fee_sanction = models.TextField(_("sanksi pungutan"), blank=True)
    fee_note = models.TextField(_("catatan biaya"), blank=True)
    product = models.TextField(_("produk pelayanan"), blank=True)
    complaints = models.JSONField(_("penanganan pengaduan"), default=dict, blank=True)

    # The 8 internal components
    legal_basis_text = models.TextField(_("dasar hukum"), blank=True)
    facilities = models.TextField(_("sarana, prasarana, fasilitas"), blank=True)
    competence = models.TextField(_("kompetensi pelaksana"), blank=True)
    internal_supervision = models.TextField(_("pengawasan internal"), blank=True)
    staffing = models.TextField(_("jumlah pelaksana"), blank=True)
    service_guarantee = models.TextField(_("jaminan pelayanan"), blank=True)
    security_guarantee = models.TextField(_("jaminan keamanan dan keselamatan"), blank=True)
    performance_evaluation = models.TextField(_("evaluasi kinerja pelaksana"), blank=True)

    # Structured extras
    legal_basis = models.JSONField(_("dasar hukum (rujukan)"), default=list, blank=True)
    output_document = models.JSONField(_("dokumen keluaran"), default=dict, blank=True)
    form_fields = models.JSONField(_("isian formulir"), default=list, blank=True)
    prefill = models.JSONField(_("isian otomatis dari profil"), default=dict, blank=True)
    rules = models.JSONField(_("aturan"), null=True, blank=True)
    notes = models.JSONField(_("catatan"), default=list, blank=True)
    # Ordered steps, each with its OPD kind and SLA (catalog.workflow; empty: one implicit step).
    workflow = models.JSONField(_("alur kerja"), default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("diterbitkan pada"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("diterbitkan oleh"),
    )

    # Content fields: frozen once the version is published.
    CONTENT_FIELDS: tuple[str, ...] = (
        "service_id", "number", "name", "name_en", "description", "owning_agency_hint",
        "fulfilment", "requirements", "procedure", "sla_value", "sla_unit", "sla_source",
        "sla_is_platform_default", "fee_amount", "fee_forbidden", "fee_basis", "fee_sanction",
        "fee_note", "product", "complaints", "legal_basis_text", "facilities", "competence",
        "internal_supervision", "staffing", "service_guarantee", "security_guarantee",
        "performance_evaluation", "legal_basis", "output_document", "form_fields", "prefill",
        "rules", "notes", "workflow", "published_at", "published_by_id",
    )
    # Fields a draft editor may change (service layer + admin).
    EDITABLE_FIELDS: tuple[str, ...] = tuple(
        f for f in CONTENT_FIELDS
        if f not in {"service_id", "number", "published_at", "published_by_id"}
    )

    class Meta:
        ordering = ["service", "-number"]
        verbose_name = _("versi layanan")
        verbose_name_plural = _("versi layanan")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_version_unique"),
            models.UniqueConstraint(
                fields=["service"], condition=models.Q(status="draft"),
                name="catalog_version_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_forbidden=False) | models.Q(fee_amount=0),
                name="catalog_version_forbidden_fee_zero",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="catalog_version_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["service", "status", "-number"])]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        errors = self._immutability_errors()
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)
        self._remember_stored_state()

    def delete(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        if self.is_frozen or self.status != self.Status.DRAFT:
            raise ValidationError(
                _("Versi yang sudah diterbitkan tidak dapat dihapus; tandai tidak berlaku.")
            )
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        errors = self._immutability_errors()
        if errors:
            raise ValidationError(errors)
        if self.fee_forbidden and self.fee_amount:
            raise ValidationError(
                {"fee_amount": _("Biaya layanan ini dilarang; nilainya harus Rp0.")}
            )

    # --- immutability -------------------------------------------------------------------

    # Loading a row remembers only its stored status (one string): the content of a frozen
    # version is compared with the row in the database when it is saved, so reading versions
    # (every portal page) copies nothing.
    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def _remember_stored_state(self) -> None:
        self._stored_status = self.__dict__.get("status")

    @property
    def is_frozen(self) -> bool:
        """True when the stored row is published or retired (content may not change)."""
        return getattr(self, "_stored_status", None) in {
            self.Status.PUBLISHED, self.Status.RETIRED
        }

    def _stored_content(self) -> dict[str, Any]:
        """The content fields as stored (one query; only for saves of frozen versions)."""
        loaded = [name for name in self.CONTENT_FIELDS if name in self.__dict__]
        if self.pk is None or not loaded:
            return {}
        row = type(self)._base_manager.filter(pk=self.pk).values(*loaded).first()
        return row or {}

    def changed_content_fields(self, stored: dict[str, Any] | None = None) -> list[str]:
        stored = self._stored_content() if stored is None else stored
        return [name for name in self.CONTENT_FIELDS
                if name in stored and stored[name] != self.__dict__[name]]

    def _immutability_errors(self) -> list[str]:
        if not self.is_frozen:
            return []
        errors = []
        stored = self._stored_content()
        changed = self.changed_content_fields(stored)
        if changed:
            errors.append(
                _(
                    "Versi %(number)s layanan %(code)s sudah diterbitkan dan tidak dapat diubah "
                    "(isian: %(fields)s). Buat draf versi baru untuk perubahan."
                ) % {
                    "number": stored.get("number", self.number),
                    "code": self.service.code if self.service_id else "-",
                    "fields": ", ".join(changed),
                }
            )
        allowed = {
            (self.Status.PUBLISHED, self.Status.PUBLISHED),
            (self.Status.PUBLISHED, self.Status.RETIRED),
            (self.Status.RETIRED, self.Status.RETIRED),
        }
        if (self._stored_status, self.status) not in allowed:
            errors.append(
                _("Versi yang sudah diterbitkan tidak dapat dikembalikan menjadi draf.")
            )
        return errors

    # --- helpers ------------------------------------------------------------------------

    @property
    def sla_display(self) -> str:
        return f"{self.sla_value} {self.get_sla_unit_display()}"

    def requirement_codes(self) -> set[str]:
        return {r.get("code") for r in self.requirements if isinstance(r, dict)}
