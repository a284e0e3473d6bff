"""Applications, their events, the citizen's document vault and notifications (tenant schema).

Lean tables per tenant:

* :class:`Application` - one citizen application to one offering, with its SLA clock fields.
  CONTRACT (the SLA sweep and monitoring build on it): ``tracking_code``, ``offering``,
  ``agency``, ``applicant_id``, ``status``, ``submitted_at``, ``clock_started_at``,
  ``due_at``, ``at_risk_at``, ``sla_state``, ``sla_reasons``, ``calendar_version`` (the
  ``sla.CalendarVersion`` row id in force when the clock started), ``paused_at``,
  ``decided_at``, ``completed_at``, ``assigned_to_id``, ``form_data``, ``documents``,
  ``idempotency_key`` and the two partial indexes the sweep uses.
* :class:`ApplicationEvent` - the timeline and audit trail. ``dedup_key`` (non-empty) makes
  an event unique per ``(application, kind)``: a sweep inserts exactly one breach event with
  ``bulk_create(..., ignore_conflicts=True)`` or ``get_or_create``.
* :class:`AttachedDocument` / :class:`DocumentAccess` - this regency's copies of the vault
  documents the citizen attached to applications here with consent (the vault itself is the
  citizen's, across regencies: `vault`, docs/adr/0013), and the log of staff access.
* :class:`Notification` - the transactional outbox of email/SMS messages.
* :class:`TrackingCounter` - the last number issued per tracking-code prefix (tenant +
  service + month), taken with one UPDATE … RETURNING per submission (docs/adr/0014).

Users live in the public schema: user references are ``db_constraint=False`` foreign keys
(the ``*_id`` columns are global user ids).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    IN_VERIFICATION = "in_verification", _("Sedang diverifikasi")
    RETURNED = "returned", _("Dikembalikan untuk perbaikan")
    RESUBMITTED = "resubmitted", _("Diajukan ulang")
    IN_PROCESS = "in_process", _("Sedang diproses")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    COMPLETED = "completed", _("Selesai")
    CANCELLED = "cancelled", _("Dibatalkan")


class SlaState(models.TextChoices):
    NOT_STARTED = "not_started", _("Belum berjalan")
    ON_TRACK = "on_track", _("Sesuai jadwal")
    PAUSED = "paused", _("Dijeda")
    AT_RISK = "at_risk", _("Berisiko terlambat")
    BREACHED = "breached", _("Melewati batas waktu")
    MET = "met", _("Tepat waktu")
    MISSED = "missed", _("Terlambat")


OPEN_SLA_STATES = (SlaState.ON_TRACK, SlaState.AT_RISK)

# The status groups, defined here once and imported everywhere (sla sweep, reports,
# monitoring, worklists).
# Submitted and not decided yet: what the SLA, the reports and the ministry count as "open".
PENDING_DECISION_STATUSES = (
    Status.SUBMITTED, Status.IN_VERIFICATION, Status.RETURNED, Status.RESUBMITTED,
    Status.IN_PROCESS,
)
# The service clock runs (a return to the citizen pauses it).
CLOCK_RUNNING_STATUSES = tuple(s for s in PENDING_DECISION_STATUSES if s != Status.RETURNED)
# Applications still waiting for the administration (what worklists show by default):
# undecided ones, and approved ones whose output has not been handed over yet.
OPEN_STATUSES = (*PENDING_DECISION_STATUSES, Status.APPROVED)
# Nothing more will happen.
CLOSED_STATUSES = (Status.REJECTED, Status.COMPLETED, Status.CANCELLED)

# The worklist order: breached first, then at risk, on track, not started, paused, the rest.
# Stored by PostgreSQL (a generated column), so the worklist reads it from an index instead of
# sorting every open application on each request.
URGENCY_EXPRESSION = models.Case(
    models.When(sla_state=SlaState.BREACHED, then=models.Value(0)),
    models.When(sla_state=SlaState.AT_RISK, then=models.Value(1)),
    models.When(sla_state=SlaState.ON_TRACK, then=models.Value(2)),
    models.When(sla_state=SlaState.NOT_STARTED, then=models.Value(3)),
    models.When(sla_state=SlaState.PAUSED, then=models.Value(4)),
    default=models.Value(5),
    output_field=models.SmallIntegerField(),
)
WORKLIST_ORDER = ("urgency", models.F("due_at").asc(nulls_last=True), "submitted_at", "id")


def _user_fk(*, null: bool = False, verbose_name: str = "") -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", null=null, blank=null, verbose_name=verbose_name or None,
    )


def attachment_upload_to(instance: AttachedDocument, filename: str) -> str:
    """`private/attachments/<random token>.<ext>`; TenantFileSystemStorage adds the schema
    folder. The name never contains the citizen's file name or id (non-guessable). Copies
    made before docs/adr/0013 keep their `private/vault/…` names."""
    return f"private/attachments/{instance.storage_token}.{instance.extension}"


def vault_upload_to(instance: AttachedDocument, filename: str) -> str:
    """The name of the per-tenant vault before docs/adr/0013 (migration 0001 refers to it)."""
    return f"private/vault/{instance.storage_token}.{instance.extension}"


class VaultContentType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


def output_upload_to(instance: Application, filename: str) -> str:
    import secrets

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "pdf"
    return f"private/outputs/{secrets.token_urlsafe(24)}.{extension}"


class Application(models.Model):
    Status = Status
    SlaState = SlaState

    class OutputSource(models.TextChoices):
        NONE = "", _("Belum ada")
        GENERATED = "generated", _("Diterbitkan platform")
        UPLOADED = "uploaded", _("Diunggah (sistem lain)")

    tracking_code = models.CharField(
        _("kode lacak"), max_length=40, unique=True, null=True, blank=True
    )
    offering = models.ForeignKey(
        "services.Offering", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("layanan"),
    )
    # Denormalised from the offering (stable codes; the worklist filters on them).
    service_code = models.CharField(_("kode layanan"), max_length=12, db_index=True)
    service_version = models.ForeignKey(
        "catalog.ServiceVersion", on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("versi layanan"),
    )
    # The OPD that holds the file now: the OPD of the current workflow step (catalog.workflow).
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("OPD"),
    )
    # The current workflow step (its code in the service version's workflow; "" before submit)
    # and every OPD that has held a step (they keep seeing the file; see StaffScope).
    current_step = models.CharField(_("langkah saat ini"), max_length=60, blank=True)
    involved_agencies = ArrayField(models.IntegerField(), default=list, blank=True)
    applicant = _user_fk(verbose_name=_("pemohon"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )

    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("waktu layanan mulai"), null=True, blank=True)
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True, db_index=True)
    at_risk_at = models.DateTimeField(_("berisiko pada"), null=True, blank=True, db_index=True)
    sla_state = models.CharField(
        _("status SLA"), max_length=12, choices=SlaState.choices, default=SlaState.NOT_STARTED
    )
    sla_reasons = models.JSONField(_("alasan batas waktu"), default=list, blank=True)
    # sla.CalendarVersion row id in force when the clock started (sla.selectors.due_for).
    calendar_version = models.IntegerField(_("versi kalender"), null=True, blank=True)
    # [{"start": iso, "end": iso | null, "reason": str}] - periods the clock was paused.
    sla_pauses = models.JSONField(default=list, blank=True)
    paused_at = models.DateTimeField(_("dijeda pada"), null=True, blank=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    completed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    assigned_to = _user_fk(null=True, verbose_name=_("petugas"))

    form_data = models.JSONField(_("isian formulir"), default=dict, blank=True)
    # requirement code -> vault.Document id (the citizen's pick; once submitted, this
    # tenant holds an AttachedDocument copy of each, found by `source_document_id`)
    documents = models.JSONField(_("dokumen"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # last 4 digits of the applicant's NIK and phone numbers: the public tracking page's check
    lookup_digits = models.JSONField(default=list, blank=True)

    revision_message = models.TextField(_("pesan perbaikan"), blank=True)
    revision_deadline = models.DateField(_("batas perbaikan"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)

    output_source = models.CharField(
        _("asal dokumen keluaran"), max_length=10, choices=OutputSource.choices, blank=True
    )
    output_file = models.FileField(upload_to=output_upload_to, max_length=200, blank=True)
    output_name = models.CharField(_("nama dokumen keluaran"), max_length=200, blank=True)
    output_sha256 = models.CharField(max_length=64, blank=True)
    output_issued_at = models.DateTimeField(_("diterbitkan pada"), null=True, blank=True)
    output_valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    output_number = models.CharField(_("nomor dokumen"), max_length=60, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    urgency = models.GeneratedField(
        expression=URGENCY_EXPRESSION, output_field=models.SmallIntegerField(), db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("permohonan")
        verbose_name_plural = _("permohonan")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="application_idem_per_applicant",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(tracking_code__isnull=False),
                name="application_tracking_code_after_draft",
            ),
        ]
        indexes = [
            # the SLA sweep: open clocks by deadline, and clocks that will turn "at risk"
            models.Index(
                fields=["due_at"], name="app_sweep_due_idx",
                condition=Q(sla_state__in=["on_track", "at_risk"]),
            ),
            models.Index(
                fields=["at_risk_at"], name="app_sweep_atrisk_idx",
                condition=Q(sla_state="on_track"),
            ),
            # escalation candidates and breach lists: breached clocks by deadline
            models.Index(
                fields=["due_at"], name="app_breached_due_idx",
                condition=Q(sla_state="breached"),
            ),
            models.Index(fields=["applicant", "-created_at"], name="app_applicant_idx"),
            models.Index(fields=["agency", "status"], name="app_agency_status_idx"),
            # the dashboard (docs/adr/0015): a day's applications by submission time, and
            # whether one changed after the day's rollup (an index range probe per day)
            models.Index(fields=["submitted_at", "updated_at"], name="app_submitted_updated_idx"),
            # worklists: open applications in urgency order, for the tenant and per OPD
            models.Index(
                *WORKLIST_ORDER, name="app_worklist_idx", condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                "agency", *WORKLIST_ORDER, name="app_worklist_agency_idx", condition=Q(status__in=OPEN_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code or f"draf #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status not in {
            Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.COMPLETED, Status.CANCELLED
        }

    @property
    def reference(self) -> str:
        return self.tracking_code or str(self.pk)


class StepOutcome(models.TextChoices):
    FORWARD = "forward", _("Diteruskan")
    RETURN = "return", _("Dikembalikan ke pemohon")
    SEND_BACK = "send_back", _("Dikembalikan ke langkah sebelumnya")
    REJECT = "reject", _("Ditolak")
    APPROVE = "approve", _("Disetujui")
    DEEMED = "deemed", _("Dianggap disetujui")
    COMPLETE = "complete", _("Diserahkan")
    CANCEL = "cancel", _("Dibatalkan pemohon")


class ApplicationStep(models.Model):
    """One passage of an application through one workflow step, at one OPD (issue 13).

    Opened when the file arrives at the step, closed with its outcome when it leaves. Its own
    deadline (the step's SLA on the tenant calendar) pauses while the file waits for the
    citizen, as the service clock does. A step that is sent back and reached again is a new
    row: the history reads as the file travelled."""

    Outcome = StepOutcome

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    step_code = models.CharField(_("langkah"), max_length=60)
    step_name = models.CharField(_("nama langkah"), max_length=200)
    # The workflow step's OPD kind (e.g. "dinkes"): the ministry compares steps across
    # tenants by kind, since OPDs themselves are per tenant.
    agency_kind = models.CharField(_("jenis OPD"), max_length=40, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="application_steps",
        verbose_name=_("OPD"),
    )
    assignee = _user_fk(null=True, verbose_name=_("petugas"))
    started_at = models.DateTimeField(_("mulai"))
    due_at = models.DateTimeField(_("batas waktu langkah"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    sla_pauses = models.JSONField(default=list, blank=True)
    sla_value = models.PositiveIntegerField(default=1)
    sla_unit = models.CharField(max_length=20, default="working_days")
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=12, choices=StepOutcome.choices, blank=True)
    sla_state = models.CharField(
        _("status SLA"), max_length=12, choices=SlaState.choices, default=SlaState.ON_TRACK
    )
    # What staff recorded to leave the step: {field code: value or {"file": ..., "sha256": ...}}.
    record = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("langkah permohonan")
        verbose_name_plural = _("langkah permohonan")
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(finished_at__isnull=True),
                name="application_one_open_step",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "finished_at"], name="app_step_agency_idx"),
            models.Index(fields=["due_at"], name="app_step_open_due_idx",
                         condition=Q(finished_at__isnull=True, sla_state="on_track")),
        ]

    def __str__(self) -> str:
        return f"{self.step_code} @ {self.agency_id}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Perubahan status")
    COMMENT = "comment", _("Catatan")
    ASSIGNMENT = "assignment", _("Penugasan")
    DRAFT_SAVED = "draft_saved", _("Draf disimpan")
    SLA_AT_RISK = "sla_at_risk", _("SLA berisiko")
    SLA_BREACHED = "sla_breached", _("SLA terlewati")
    SLA_ESCALATED = "sla_escalated", _("Eskalasi SLA")
    SLA_RECOMPUTED = "sla_recomputed", _("Batas waktu dihitung ulang")
    DOCUMENT_ACCESS = "document_access", _("Akses dokumen")
    OUTPUT_ISSUED = "output_issued", _("Dokumen keluaran diterbitkan")
    NOTIFICATION = "notification", _("Notifikasi")
    DEEMED_APPROVED = "deemed_approved", _("Dianggap disetujui")
    STEP_BREACHED = "step_breached", _("Langkah melewati batas waktu")


class ApplicationEvent(models.Model):
    Kind = EventKind

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = _user_fk(null=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Non-empty: at most one event of this kind per application with this key (sweeps).
    dedup_key = models.CharField(max_length=80, default="", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat permohonan")
        verbose_name_plural = _("riwayat permohonan")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "dedup_key"], name="appevent_dedup_unique",
                condition=~Q(dedup_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.from_status}->{self.to_status}"


class AttachedDocument(models.Model):
    """This regency's own copy of a document from the citizen's vault (`vault.Document`,
    public schema), made when the citizen attached it to an application here with consent
    (docs/adr/0013). One copy per vault document per tenant, reused by later applications of
    the same citizen here. It is the administration's record of the application: it stays
    when the citizen deletes the document from the vault, and goes with account erasure.
    The file is private: only `applications.views_staff.document` streams it, after
    `selectors.document_for_staff`."""

    ContentType = VaultContentType

    owner = _user_fk(verbose_name=_("pemilik"))
    # The vault document this copies (`vault.Document` id; Application.documents holds it).
    source_document_id = models.IntegerField(_("dokumen brankas"), null=True, blank=True)
    document_type = models.CharField(_("jenis dokumen"), max_length=40)
    label = models.CharField(_("nama dokumen"), max_length=150)
    original_name = models.CharField(_("nama berkas asli"), max_length=200, blank=True)
    storage_token = models.CharField(max_length=64, unique=True)
    extension = models.CharField(max_length=5)
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    content_type = models.CharField(max_length=20, choices=VaultContentType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dokumen terlampir")
        verbose_name_plural = _("dokumen terlampir")
        constraints = [
            models.UniqueConstraint(fields=["source_document_id"], name="attached_source_unique"),
        ]
        indexes = [models.Index(fields=["owner", "document_type"], name="vault_owner_type_idx")]

    def __str__(self) -> str:
        return self.label


class DocumentAccess(models.Model):
    """Every time staff open a citizen's document, or reveal an identity number (NIK, KK) of
    an application (`field` names it; `document` is empty then). The citizen sees this log."""

    document = models.ForeignKey(
        AttachedDocument, on_delete=models.CASCADE, related_name="accesses", null=True,
        blank=True,
    )
    field = models.CharField(_("isian yang ditampilkan"), max_length=64, blank=True)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = _user_fk(verbose_name=_("petugas"))
    accessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("akses dokumen")
        verbose_name_plural = _("akses dokumen")

    def __str__(self) -> str:
        return f"{self.document_id} by {self.actor_id}"


class Notification(models.Model):
    """Outbox row: inserted in the same transaction as the change it announces, sent on
    commit by a Celery task; `notifications_flush` re-sends rows still queued."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class State(models.TextChoices):
        QUEUED = "queued", _("Antre")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True,
        related_name="notifications",
    )
    recipient = _user_fk(verbose_name=_("penerima"))
    channel = models.CharField(max_length=5, choices=Channel.choices)
    kind = models.CharField(max_length=40)
    dedup_key = models.CharField(max_length=120)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=6, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "dedup_key"], name="notification_dedup_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], name="notification_queued_idx",
                condition=Q(status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel})"


class TrackingCounter(models.Model):
    """The last sequence number issued for one tracking-code prefix (`3273-KKUBAH-2612-`):
    `applications.tracking` increments it with UPDATE … RETURNING inside the submission's
    transaction (the row lock orders concurrent submissions of the same prefix), instead of
    taking MAX() over the applications under an advisory lock (docs/adr/0014)."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last:04d}"
