"""Writes of the feedback app: SKM invitations and answers, complaints and their steps."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.services import audit_record, diff, snapshot
from sla.engine import Target, compute_due
from sla.selectors import calendar_current, engine_calendar

from .errors import (
    InvalidAnswers,
    InvalidComplaint,
    InvalidTransition,
    StaffCannotSubmitSurvey,
    SurveyAlreadySubmitted,
)
from .models import Complaint, FeedbackSettings, SkmResponse
from .questionnaire import UNSUR_CODES
from .selectors import SKM_SALT, feedback_settings, skm_response_from_token, user_is_staff_here

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

# --------------------------------------------------------------------------- SKM


def skm_invite(
    *, source: str, source_id: int, reference: str = "", channel: str,
    offering_id: int | None = None, service_code: str = "", agency_id: int | None = None,
    counter_id: int | None = None, officer_id: int | None = None,
    citizen_id: int | None = None,
) -> SkmResponse:
    """The invitation of one transaction (idempotent: a second call returns the same row)."""
    response, _created = SkmResponse.objects.get_or_create(
        source=source, source_id=source_id,
        defaults={
            "reference": reference, "channel": channel, "offering_id": offering_id,
            "service_code": service_code, "agency_id": agency_id, "counter_id": counter_id,
            "officer_id": officer_id, "citizen_id": citizen_id, "invited_at": timezone.now(),
        },
    )
    return response


def skm_token(response: SkmResponse) -> str:
    """The signed link token of an invitation (single use: the row accepts one answer set)."""
    return signing.dumps({"r": response.pk, "s": response.source}, salt=SKM_SALT, compress=True)


def _answers(raw: dict[str, Any]) -> dict[str, int]:
    answers: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for code in UNSUR_CODES:
        value = raw.get(code)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in (1, 2, 3, 4):
            errors[code] = [_("Pilih salah satu jawaban.")]
        else:
            answers[code] = number
    if errors:
        raise InvalidAnswers(_("Semua sembilan pertanyaan wajib dijawab."), extra={"fields": errors})
    return answers


@transaction.atomic
def skm_submit(
    *, token: str, user: AbstractBaseUser | AnonymousUser | None, answers: dict[str, Any],
    comment: str = "",
) -> SkmResponse:
    """Record the nine answers once. Staff of this tenant cannot answer (403)."""
    if user is not None and user_is_staff_here(user=user):
        raise StaffCannotSubmitSurvey(
            _("Akun staf tidak dapat mengisi Survei Kepuasan Masyarakat. "
              "Survei hanya untuk pengguna layanan.")
        )
    response = skm_response_from_token(token=token)
    values = _answers(answers)
    response = SkmResponse.objects.select_for_update().get(pk=response.pk)
    if response.submitted_at is not None:
        raise SurveyAlreadySubmitted(_("Survei untuk transaksi ini sudah diisi. Terima kasih."))
    for code, value in values.items():
        setattr(response, code, value)
    response.comment = (comment or "").strip()[:2000]
    response.submitted_at = timezone.now()
    if user is not None and user.is_authenticated and response.citizen_id is None:
        response.citizen_id = user.pk
    response.save()
    return response


# --------------------------------------------------------------------------- complaints


def working_days_due(start: datetime, days: int) -> datetime:
    """``days`` working days after ``start`` on the tenant's current work calendar (holidays
    and cuti bersama skipped, day of receipt not counted, due at closing time)."""
    version = calendar_current()
    years = range(start.year - 1, start.year + 3)
    calendar = engine_calendar(version, years=years)
    result = compute_due(start, Target.working_days(days), calendar)
    assert result.due is not None  # no pauses: always a due instant
    return result.due


def _tracking_code() -> str:
    return "ADU-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _event(
    complaint: Complaint, status: str, *, actor_id: int | None, note: str = "", public: bool = True
) -> None:
    complaint.timeline = [
        *complaint.timeline,
        {
            "at": timezone.now().isoformat(), "status": status, "actor_id": actor_id,
            "note": note, "public": public,
        },
    ]


def _subject_target(
    subject: str, reference: str, service_code: str
) -> dict[str, Any]:
    """Resolve what the complaint is about to (application_id, ticket, offering, agency)."""
    from services.models import Offering

    found: dict[str, Any] = {"application_id": None, "ticket": None, "offering": None}
    if subject == Complaint.Subject.APPLICATION:
        try:
            from applications.models import Application
        except ImportError:  # pragma: no cover
            Application = None
        application = (
            Application.objects.select_related("offering").filter(tracking_code=reference).first()
            if Application is not None and reference else None
        )
        if application is None:
            raise InvalidComplaint(
                _("Permohonan dengan kode lacak itu tidak ditemukan."),
                extra={"fields": {"reference": [_("Kode lacak tidak ditemukan.")]}},
            )
        found.update(application_id=application.pk, offering=application.offering)
        found["agency_id"] = application.agency_id
    elif subject == Complaint.Subject.TICKET:
        from hall.models import Ticket

        ticket = Ticket.objects.filter(code=reference.strip().upper()).first() if reference else None
        if ticket is None:
            raise InvalidComplaint(
                _("Tiket antrean dengan kode itu tidak ditemukan."),
                extra={"fields": {"reference": [_("Kode tiket tidak ditemukan.")]}},
            )
        found.update(ticket=ticket, offering=ticket.offering, agency_id=ticket.agency_id)
    else:
        offering = Offering.objects.filter(service_code=service_code).first() if service_code else None
        if offering is None:
            raise InvalidComplaint(
                _("Pilih layanan yang diadukan."),
                extra={"fields": {"service_code": [_("Pilih layanan.")]}},
            )
        found.update(offering=offering, agency_id=offering.agency_id)
    return found


def _create(complaint: Complaint) -> Complaint:
    for _attempt in range(5):
        complaint.tracking_code = _tracking_code()
        try:
            with transaction.atomic():
                complaint.save()
            from .events import complaint_filed

            complaint_filed(complaint_id=complaint.pk)  # integrations' webhooks, on commit
            return complaint
        except IntegrityError:
            if Complaint.objects.filter(tracking_code=complaint.tracking_code).exists():
                continue
            raise
    raise InvalidComplaint(_("Gagal membuat kode lacak; silakan coba lagi."))  # pragma: no cover


def _targets(complaint: Complaint, settings_row: FeedbackSettings, start: datetime) -> None:
    complaint.verify_due = working_days_due(start, settings_row.verify_days)
    complaint.respond_due = working_days_due(
        start, settings_row.verify_days + settings_row.respond_days
    )
    complaint.close_due = working_days_due(
        start, settings_row.verify_days + settings_row.respond_days + settings_row.close_days
    )


@transaction.atomic
def complaint_create(
    *, actor: AbstractBaseUser | AnonymousUser | None, subject: str, title: str, shortfall: str,
    reference: str = "", service_code: str = "", identity: str = Complaint.Identity.OPEN,
    name: str = "", address: str = "", contact: str = "", loss: str = "", remedy: str = "",
    place: str = "", incident_date: date | None = None,
) -> Complaint:
    """A complaint by a citizen (UU 25/2009 Pasal 42 fields). Anonymous complaints keep no
    identity at all; confidential ones keep it, hidden from the OPD (Pasal 40)."""
    if subject not in Complaint.Subject.values:
        raise InvalidComplaint(_("Pilih apa yang diadukan."))
    if identity not in Complaint.Identity.values:
        raise InvalidComplaint(_("Pilihan identitas tidak valid."))
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Judul wajib diisi.")]
    if not shortfall.strip():
        errors["shortfall"] = [_("Jelaskan ketidaksesuaian layanan dengan standar pelayanan.")]
    anonymous = identity == Complaint.Identity.ANONYMOUS
    logged_in = actor is not None and actor.is_authenticated
    if not anonymous and not name.strip() and not logged_in:
        errors["name"] = [_("Nama wajib diisi, kecuali Anda memilih anonim.")]
    if not anonymous and not contact.strip() and not logged_in:
        errors["contact"] = [_("Email atau nomor telepon wajib diisi, kecuali anonim.")]
    if errors:
        raise InvalidComplaint(next(iter(errors.values()))[0], extra={"fields": errors})
    target = _subject_target(subject, reference.strip(), service_code)
    now = timezone.now()
    complaint = Complaint(
        subject=subject, reference=reference.strip()[:40], application_id=target["application_id"],
        ticket=target["ticket"], offering=target["offering"], agency_id=target["agency_id"],
        identity=identity, title=title.strip()[:150], shortfall=shortfall.strip(),
        loss=loss.strip(), remedy=remedy.strip(), place=place.strip()[:150],
        incident_date=incident_date, created_at=now,
    )
    if not anonymous:
        complaint.complainant_id = actor.pk if logged_in else None
        complaint.name = (name.strip() or getattr(actor, "full_name", "") or "")[:120]
        complaint.address = address.strip()[:250]
        complaint.contact = (contact.strip() or getattr(actor, "email", "") or "")[:120]
    _targets(complaint, feedback_settings(), now)
    _event(complaint, Complaint.Status.SUBMITTED, actor_id=None, note=_("Pengaduan diterima."))
    return _create(complaint)


@transaction.atomic
def complaint_open_for_breach(application_id: int) -> Complaint | None:
    """Open a complaint for an application whose SLA was breached, when the tenant enabled
    it (FeedbackSettings.auto_complaint_on_breach). Idempotent: at most one automatic
    complaint per application (unique partial index). Returns it, or None when disabled or
    the application does not exist. Called by the SLA sweep."""
    settings_row = feedback_settings()
    if not settings_row.auto_complaint_on_breach:
        return None
    existing = Complaint.objects.filter(
        application_id=application_id, origin=Complaint.Origin.SLA_BREACH
    ).first()
    if existing is not None:
        return existing
    try:
        from applications.models import Application
    except ImportError:  # pragma: no cover
        return None
    application = (
        Application.objects.select_related("offering__service_version")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    now = timezone.now()
    due = application.due_at.isoformat() if application.due_at else "-"
    complaint = Complaint(
        origin=Complaint.Origin.SLA_BREACH, subject=Complaint.Subject.APPLICATION,
        application_id=application.pk, reference=application.tracking_code or "",
        offering=application.offering, agency_id=application.agency_id,
        identity=Complaint.Identity.CONFIDENTIAL, complainant_id=application.applicant_id,
        title=_("Permohonan %(code)s melewati batas waktu layanan")
        % {"code": application.tracking_code},
        shortfall=_(
            "Permohonan %(code)s belum selesai melewati batas waktu standar pelayanan "
            "(batas: %(due)s). Dibuka otomatis oleh sistem."
        ) % {"code": application.tracking_code, "due": due},
        remedy=_("Penyelesaian permohonan dan penjelasan keterlambatan."),
        created_at=now,
    )
    _targets(complaint, settings_row, now)
    _event(complaint, Complaint.Status.SUBMITTED, actor_id=None,
           note=_("Dibuka otomatis karena SLA permohonan terlewati."))
    try:
        with transaction.atomic():
            return _create(complaint)
    except IntegrityError:  # a concurrent sweep won the race
        return Complaint.objects.get(
            application_id=application_id, origin=Complaint.Origin.SLA_BREACH
        )


_TRANSITIONS = {
    "verify": ({Complaint.Status.SUBMITTED}, Complaint.Status.VERIFIED),
    "respond": ({Complaint.Status.VERIFIED}, Complaint.Status.RESPONDED),
    "close": ({Complaint.Status.RESPONDED}, Complaint.Status.CLOSED),
    "reject": ({Complaint.Status.SUBMITTED, Complaint.Status.VERIFIED}, Complaint.Status.REJECTED),
}


@transaction.atomic
def complaint_transition(
    *, actor: AbstractBaseUser, complaint: Complaint, action: str, note: str = "",
    agency_id: int | None = None,
) -> Complaint:
    """verify (optionally re-route to another OPD) → respond (the follow-up text, required)
    → close; or reject. Each step sets the next working-day target and adds a timeline row."""
    if action not in _TRANSITIONS:
        raise InvalidTransition(_("Langkah tidak dikenal."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    allowed, target = _TRANSITIONS[action]
    if complaint.status not in allowed:
        raise InvalidTransition(
            _("Pengaduan berstatus %(status)s tidak dapat di-%(action)s.")
            % {"status": complaint.get_status_display(), "action": action}
        )
    settings_row = feedback_settings()
    now = timezone.now()
    note = (note or "").strip()
    if action == "verify":
        if agency_id and agency_id != complaint.agency_id:
            if not Agency.objects.filter(pk=agency_id, is_active=True).exists():
                raise InvalidComplaint(_("OPD tujuan tidak valid."))
            complaint.agency_id = agency_id
        complaint.verified_at = now
        complaint.respond_due = working_days_due(now, settings_row.respond_days)
        complaint.close_due = working_days_due(
            now, settings_row.respond_days + settings_row.close_days
        )
    elif action == "respond":
        if not note:
            raise InvalidComplaint(
                _("Tuliskan tindak lanjut untuk pelapor."),
                extra={"fields": {"note": [_("Tindak lanjut wajib diisi.")]}},
            )
        complaint.response = note
        complaint.responded_at = now
        complaint.close_due = working_days_due(now, settings_row.close_days)
    else:
        complaint.closed_at = now
        if action == "reject" and not note:
            raise InvalidComplaint(
                _("Tuliskan alasan pengaduan tidak dapat ditindaklanjuti."),
                extra={"fields": {"note": [_("Alasan wajib diisi.")]}},
            )
        if action == "reject":
            complaint.response = note
    complaint.status = target
    _event(complaint, target, actor_id=actor.pk, note=note)
    complaint.save()
    return complaint


@transaction.atomic
def feedback_settings_update(
    *, actor: AbstractBaseUser, verify_days: int, respond_days: int, close_days: int,
    auto_complaint_on_breach: bool,
) -> FeedbackSettings:
    settings_row = FeedbackSettings.objects.select_for_update().get(pk=feedback_settings().pk)
    fields = ("verify_days", "respond_days", "close_days", "auto_complaint_on_breach")
    before = snapshot(settings_row, fields)
    settings_row.verify_days = verify_days
    settings_row.respond_days = respond_days
    settings_row.close_days = close_days
    settings_row.auto_complaint_on_breach = auto_complaint_on_breach
    settings_row.full_clean()
    settings_row.save()
    audit_record("feedback_settings.update", actor=actor, target=settings_row,
                 changes=diff(before, snapshot(settings_row, fields)))
    return settings_row
