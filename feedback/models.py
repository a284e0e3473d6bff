"""Models of the feedback app (tenant schema): SKM responses, complaints, tenant settings.

Three lean tables:

* :class:`SkmResponse` - one row per transaction (an application completed or a queue ticket
  served), created when the citizen is invited; the answers fill it once (``submitted_at``).
  The unique ``(source, source_id)`` makes "once per transaction" a database rule. The nine
  answers are columns so IKM sums and counts are one SQL aggregate over any period.
* :class:`Complaint` - a pengaduan (UU 25/2009 Pasal 40-42) with working-day targets from
  the SLA engine and its status timeline as JSON.
* :class:`FeedbackSettings` - one row: complaint targets and whether an SLA breach opens a
  complaint automatically.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .questionnaire import UNSUR_CODES

_ANSWER = [MinValueValidator(1), MaxValueValidator(4)]


def _answer_field(code: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(code.upper(), null=True, blank=True, validators=_ANSWER)


class SkmResponse(models.Model):
    class Source(models.TextChoices):
        APPLICATION = "application", _("Permohonan")
        TICKET = "ticket", _("Antrean loket")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Daring (tautan notifikasi)")
        COUNTER = "counter", _("Loket (kode QR)")

    source = models.CharField(_("sumber"), max_length=12, choices=Source.choices)
    source_id = models.BigIntegerField(_("id transaksi"))
    reference = models.CharField(_("rujukan"), max_length=40, blank=True)
    channel = models.CharField(_("kanal"), max_length=8, choices=Channel.choices)
    offering = models.ForeignKey(
        "services.Offering", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_code = models.CharField(_("kode layanan"), max_length=12, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    counter = models.ForeignKey(
        "hall.Counter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=True, blank=True,
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=True, blank=True,
    )
    invited_at = models.DateTimeField(_("diundang pada"))
    submitted_at = models.DateTimeField(_("diisi pada"), null=True, blank=True)
    u1 = _answer_field("u1")
    u2 = _answer_field("u2")
    u3 = _answer_field("u3")
    u4 = _answer_field("u4")
    u5 = _answer_field("u5")
    u6 = _answer_field("u6")
    u7 = _answer_field("u7")
    u8 = _answer_field("u8")
    u9 = _answer_field("u9")
    comment = models.TextField(_("saran dan masukan"), blank=True)

    class Meta:
        ordering = ["-invited_at"]
        verbose_name = _("respons SKM")
        verbose_name_plural = _("respons SKM")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="skm_once_per_transaction"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(**{f"{code}__isnull": False for code in UNSUR_CODES}),
                name="skm_submitted_has_all_answers",
            ),
        ]
        indexes = [
            models.Index(fields=["submitted_at"], name="skm_submitted_idx"),
            models.Index(fields=["invited_at"], name="skm_invited_idx"),
        ]

    def __str__(self) -> str:
        return f"SKM {self.source} {self.reference or self.source_id}"


class Complaint(models.Model):
    class Subject(models.TextChoices):
        APPLICATION = "application", _("Permohonan")
        TICKET = "ticket", _("Kunjungan loket")
        SERVICE = "service", _("Layanan secara umum")

    class Identity(models.TextChoices):
        OPEN = "open", _("Identitas terbuka")
        CONFIDENTIAL = "confidential", _("Identitas dirahasiakan")
        ANONYMOUS = "anonymous", _("Anonim")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Diterima")
        VERIFIED = "verified", _("Diverifikasi")
        RESPONDED = "responded", _("Ditindaklanjuti")
        CLOSED = "closed", _("Selesai")
        REJECTED = "rejected", _("Tidak dapat ditindaklanjuti")

    class Origin(models.TextChoices):
        CITIZEN = "citizen", _("Warga")
        SLA_BREACH = "sla_breach", _("Otomatis: pelanggaran SLA")

    tracking_code = models.CharField(_("kode lacak"), max_length=20, unique=True)
    origin = models.CharField(
        _("asal"), max_length=12, choices=Origin.choices, default=Origin.CITIZEN
    )
    subject = models.CharField(_("pengaduan atas"), max_length=12, choices=Subject.choices)
    application_id = models.BigIntegerField(_("permohonan"), null=True, blank=True)
    ticket = models.ForeignKey(
        "hall.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("rujukan"), max_length=40, blank=True)
    offering = models.ForeignKey(
        "services.Offering", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD")
    )
    # Pasal 40 (confidential/anonymous) and Pasal 42 (identity, shortfall, loss, remedy).
    identity = models.CharField(
        _("identitas"), max_length=12, choices=Identity.choices, default=Identity.OPEN
    )
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=True, blank=True,
    )
    name = models.CharField(_("nama"), max_length=120, blank=True)
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    contact = models.CharField(_("email/telepon"), max_length=120, blank=True)
    title = models.CharField(_("judul"), max_length=150)
    shortfall = models.TextField(_("ketidaksesuaian dengan standar pelayanan"))
    loss = models.TextField(_("kerugian yang dialami"), blank=True)
    remedy = models.TextField(_("tuntutan/penyelesaian yang diminta"), blank=True)
    place = models.CharField(_("tempat kejadian"), max_length=150, blank=True)
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    response = models.TextField(_("tindak lanjut"), blank=True)
    # Working-day targets (sla engine) and when each step happened.
    verify_due = models.DateTimeField(_("batas verifikasi"))
    respond_due = models.DateTimeField(_("batas tindak lanjut"))
    close_due = models.DateTimeField(_("batas selesai"), null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # [{"at": iso, "status": str, "actor_id": int|None, "note": str, "public": bool}]
    timeline = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("diterima pada"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        constraints = [
            models.UniqueConstraint(
                fields=["application_id"], name="complaint_one_auto_per_application",
                condition=Q(origin="sla_breach"),
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="complaint_agency_status_idx"),
            models.Index(fields=["created_at"], name="complaint_created_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def shows_identity(self) -> bool:
        return self.identity == self.Identity.OPEN


class FeedbackSettings(models.Model):
    """The tenant's settings (one row, pk=1): complaint working-day targets (SP4N-LAPOR!
    defaults 3/5/10) and automatic complaints on SLA breach."""

    verify_days = models.PositiveSmallIntegerField(_("verifikasi (hari kerja)"), default=3)
    respond_days = models.PositiveSmallIntegerField(_("tindak lanjut (hari kerja)"), default=5)
    close_days = models.PositiveSmallIntegerField(_("penutupan (hari kerja)"), default=10)
    auto_complaint_on_breach = models.BooleanField(
        _("buka pengaduan otomatis saat SLA terlewati"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaturan SKM dan pengaduan")
        verbose_name_plural = _("pengaturan SKM dan pengaduan")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="feedbacksettings_singleton"),
            models.CheckConstraint(
                condition=Q(verify_days__gte=1) & Q(respond_days__gte=1) & Q(close_days__gte=1),
                name="feedbacksettings_positive_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verify_days}/{self.respond_days}/{self.close_days}"
