"""Demo content of the feedback app (core.discovery `seed_demo_activity`): survey (SKM)
answers for the simulated applications completed and queue tickets served, and complaints
about late applications, bulk-inserted. Deterministic for a given `rng`; a tenant whose
feedback already has simulated complaints is skipped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import Complaint, FeedbackSettings, SkmResponse
from .questionnaire import UNSUR_CODES

ACTIVITY_CODE = "ADU-DM"
COMMENTS = ("Pelayanan cepat dan ramah.", "Antrean cukup lama.", "Petugas sangat membantu.",
            "Informasi persyaratan perlu diperjelas.", "", "", "")
COMPLAINTS = (
    ("Permohonan belum selesai", "Permohonan saya melewati batas waktu layanan."),
    ("Dokumen belum diterima", "Dokumen hasil layanan belum dapat saya ambil."),
    ("Tidak ada kabar", "Belum ada pemberitahuan perkembangan permohonan saya."),
)


def _answers(rng: Any, mood: float) -> dict[str, int]:
    return {code: max(1, min(4, round(rng.gauss(mood, 0.6)))) for code in UNSUR_CODES}


def seed_demo_activity(*, tenant: Any, days: int, rng: Any) -> int:
    from django.utils import timezone

    from applications.models import Application, SlaState, Status
    from hall.models import Ticket

    from .services import working_days_due

    if Complaint.objects.filter(tracking_code__startswith=ACTIVITY_CODE).exists():
        return 0
    now = timezone.now()
    since = now - dt.timedelta(days=days)
    mood = rng.uniform(2.9, 3.7)  # how satisfied this tenant's citizens are
    rate = rng.uniform(0.35, 0.75)  # share who answer the survey
    responses: list[SkmResponse] = []
    for pk, code, offering_id, service_code, agency_id, citizen_id, completed_at in (
        Application.objects.filter(status=Status.COMPLETED, completed_at__gte=since)
    ).values_list("pk", "tracking_code", "offering_id", "service_code", "agency_id",
                  "applicant_id", "completed_at"):
        response = SkmResponse(
            source=SkmResponse.Source.APPLICATION, source_id=pk, reference=code or "",
            channel=SkmResponse.Channel.ONLINE, offering_id=offering_id,
            service_code=service_code, agency_id=agency_id, citizen_id=citizen_id,
            invited_at=completed_at,
        )
        responses.append(response)
    for pk, code, offering_id, service_code, agency_id, counter_id, officer, finished in (
        Ticket.objects.filter(status=Ticket.Status.DONE, finished_at__gte=since).values_list(
            "pk", "code", "offering_id", "service_code", "agency_id", "counter_id",
            "served_by_id", "finished_at")
    ):
        responses.append(SkmResponse(
            source=SkmResponse.Source.TICKET, source_id=pk, reference=code,
            channel=SkmResponse.Channel.COUNTER, offering_id=offering_id,
            service_code=service_code, agency_id=agency_id, counter_id=counter_id,
            officer_id=officer, invited_at=finished,
        ))
    for response in responses:
        if rng.random() < rate:
            answered = response.invited_at + dt.timedelta(hours=rng.uniform(0.05, 30))
            if answered < now:
                response.submitted_at = answered
                for code, value in _answers(rng, mood).items():
                    setattr(response, code, value)
                response.comment = rng.choice(COMMENTS)
    SkmResponse.objects.bulk_create(responses, batch_size=1000, ignore_conflicts=True)
    settings = FeedbackSettings.objects.filter(pk=1).first() or FeedbackSettings()
    complaints: list[Complaint] = []
    late = list(
        Application.objects.filter(sla_state__in=[SlaState.MISSED, SlaState.BREACHED],
                                   due_at__gte=since, due_at__lt=now)
        .order_by("due_at").values_list("pk", "tracking_code", "offering_id", "agency_id",
                                         "applicant_id", "due_at")
    )
    share = rng.uniform(0.08, 0.3)
    for n, (pk, code, offering_id, agency_id, citizen_id, due) in enumerate(late):
        if rng.random() > share:
            continue
        created = due + dt.timedelta(hours=rng.uniform(2, 72))
        if created >= now:
            continue
        title, shortfall = COMPLAINTS[n % len(COMPLAINTS)]
        complaint = Complaint(
            tracking_code=f"{ACTIVITY_CODE}{n:04d}", subject=Complaint.Subject.APPLICATION,
            application_id=pk, reference=code or "", offering_id=offering_id,
            agency_id=agency_id, complainant_id=citizen_id, name="Warga", title=title,
            shortfall=shortfall, created_at=created,
            verify_due=working_days_due(created, settings.verify_days),
            respond_due=working_days_due(created, settings.respond_days),
            close_due=working_days_due(created, settings.close_days),
            timeline=[{"at": created.isoformat(), "status": "submitted", "actor_id": None,
                       "note": "", "public": True}],
        )
        stage = rng.random()
        verified = created + dt.timedelta(hours=rng.uniform(3, 60))
        responded = verified + dt.timedelta(hours=rng.uniform(6, 100))
        closed = responded + dt.timedelta(hours=rng.uniform(6, 72))
        for status, at, field in (("verified", verified, "verified_at"),
                                  ("responded", responded, "responded_at"),
                                  ("closed", closed, "closed_at")):
            if at >= now or stage < {"verified": 0.1, "responded": 0.25, "closed": 0.4}[status]:
                break
            complaint.status = status
            setattr(complaint, field, at)
            complaint.timeline.append({"at": at.isoformat(), "status": status,
                                       "actor_id": None, "note": "", "public": True})
            if status == "responded":
                complaint.response = "Permohonan telah kami tindak lanjuti. Mohon maaf."
        complaints.append(complaint)
    Complaint.objects.bulk_create(complaints, batch_size=500, ignore_conflicts=True)
    return len(responses) + len(complaints)
