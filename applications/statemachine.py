"""THE status machine of applications: every allowed transition, who may make it, and the one
service that applies it (`application_transition`).

    draft ──submit──▶ submitted ──start_verification──▶ in_verification ──accept──▶ in_process
                        ▲                                   │   ▲                    │  │  │
                        │                              return│   │start_verification  │  │  └─approve─▶ approved ──complete──▶ completed
                        │                                   ▼   │                    │  └─reject──▶ rejected
                        │                  returned ──resubmit──▶ resubmitted ──process (clock already started)──▶ in_process
                        │                      ▲                                       │
                        │                      └───────────────return──────────────────┘
    cancel (citizen): draft, submitted, in_verification, returned, resubmitted → cancelled,
    only while the SLA clock has not started (before processing).
    forward / send_back (staff, in_process → in_process): move the file to the next / previous
    workflow step (docs/adr/0011); every action is also checked against the current step
    (`steps.step_guard`): e.g. "approve" only on a deciding step, by the OPD holding it.
    reject (staff, reason required): in_verification, in_process → rejected.

Roles: citizen actions only by the applicant; staff actions by an officer or agency head of
the owning OPD, or a tenant admin. Staff without any role in the owning OPD get "not found"
(they must not learn the application exists), a visible-but-not-allowed role (front desk) or
the applicant trying a staff action gets "wrong role", and a known action from a status that
does not allow it gets "illegal transition" (409).

Concurrency: the row is locked (`select_for_update`) for the whole transition, so of two
concurrent identical clicks exactly one succeeds; the other sees the new status (409).
Every transition writes an ApplicationEvent (who, when, from, to, note) and enqueues the
applicant's notifications in the same transaction (sent on commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import clock, steps
from .errors import (
    ApplicationNotFound,
    ChecklistIncomplete,
    IllegalTransition,
    NoteRequired,
    OutputMissing,
    UnknownAction,
    WrongRole,
)
from .hooks import application_completed, application_event_recorded
from .models import Application, ApplicationEvent, EventKind, Status
from .permissions import StaffScope, staff_scope

CITIZEN = "citizen"
STAFF = "staff"
DEFAULT_REVISION_DAYS = 14


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    who: str  # CITIZEN or STAFF
    label: Any
    note_required: bool = False
    danger: bool = False


def _t(action: str, sources: set[str], target: str, who: str, label: Any, **kw: Any) -> Transition:
    return Transition(action, frozenset(sources), target, who, label, **kw)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("submit", {Status.DRAFT}, Status.SUBMITTED, CITIZEN, gettext_lazy("Ajukan")),
        _t("resubmit", {Status.RETURNED}, Status.RESUBMITTED, CITIZEN,
           gettext_lazy("Ajukan ulang")),
        _t("cancel",
           {Status.DRAFT, Status.SUBMITTED, Status.IN_VERIFICATION, Status.RETURNED,
            Status.RESUBMITTED},
           Status.CANCELLED, CITIZEN, gettext_lazy("Batalkan permohonan"), danger=True),
        _t("start_verification", {Status.SUBMITTED, Status.RESUBMITTED}, Status.IN_VERIFICATION,
           STAFF, gettext_lazy("Mulai verifikasi")),
        _t("return", {Status.IN_VERIFICATION, Status.IN_PROCESS}, Status.RETURNED, STAFF,
           gettext_lazy("Kembalikan untuk perbaikan"), note_required=True),
        _t("accept", {Status.IN_VERIFICATION}, Status.IN_PROCESS, STAFF,
           gettext_lazy("Terima: berkas lengkap")),
        _t("process", {Status.RESUBMITTED}, Status.IN_PROCESS, STAFF,
           gettext_lazy("Lanjutkan proses")),
        _t("forward", {Status.IN_PROCESS}, Status.IN_PROCESS, STAFF,
           gettext_lazy("Teruskan ke langkah berikutnya")),
        _t("send_back", {Status.IN_PROCESS}, Status.IN_PROCESS, STAFF,
           gettext_lazy("Kembalikan ke langkah sebelumnya"), note_required=True),
        _t("approve", {Status.IN_PROCESS}, Status.APPROVED, STAFF, gettext_lazy("Setujui")),
        _t("reject", {Status.IN_VERIFICATION, Status.IN_PROCESS}, Status.REJECTED, STAFF,
           gettext_lazy("Tolak"), note_required=True, danger=True),
        _t("complete", {Status.APPROVED}, Status.COMPLETED, STAFF,
           gettext_lazy("Selesaikan (dokumen diserahkan)")),
    )
}
CITIZEN_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.who == CITIZEN)
STAFF_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if t.who == STAFF)


def _guard(application: Application, transition: Transition) -> str | None:
    """Extra rule beyond the source status; returns the refusal message or None."""
    if transition.action == "cancel" and application.clock_started_at is not None:
        return _("Permohonan yang sudah diproses tidak dapat dibatalkan.")
    if transition.action == "process" and application.clock_started_at is None:
        return _("Permohonan ini belum diverifikasi lengkap; mulai verifikasi terlebih dahulu.")
    return None


def allowed_actions(
    application: Application, *, user: Any, scope: StaffScope | None = None
) -> list[Transition]:
    """Transitions the user may make now (for buttons); no database access with a scope and
    the service version selected."""
    scope = scope or staff_scope(user)
    workflow = steps.workflow_for(application)
    result = []
    for transition in TRANSITIONS.values():
        if application.status not in transition.sources or _guard(application, transition):
            continue
        if steps.step_guard(application, transition.action, workflow):
            continue
        if transition.action == "complete" and _output_missing(application):
            continue  # "Selesaikan" only once the output document exists (issue 17)
        if transition.who == CITIZEN and application.applicant_id == getattr(user, "pk", None):
            result.append(transition)
        elif transition.who == STAFF and scope.can_act(application.agency_id):
            result.append(transition)
    return result


def _authorize(
    application: Application, transition: Transition, *, actor: Any,
    scope: StaffScope | None,
) -> None:
    """`scope` None: loaded only when needed (the applicant's own citizen actions need no
    staff roles, which saves a query on every submission)."""
    is_applicant = application.applicant_id == getattr(actor, "pk", None)
    if transition.who == CITIZEN:
        if is_applicant:
            return
        scope = scope or staff_scope(actor)
        if not scope.sees_application(application):
            raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
        raise WrongRole(_("Tindakan ini hanya dapat dilakukan oleh pemohon."))
    scope = scope or staff_scope(actor)
    sees = is_applicant or scope.sees_application(application)
    if not sees:
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    if transition.who == STAFF and not scope.can_act(application.agency_id):
        raise WrongRole(
            _("Peran Anda tidak berwenang untuk tindakan ini (hanya petugas atau kepala OPD "
              "pemilik layanan, atau admin tenant).")
        )


def _effects(
    application: Application, transition: Transition, *, now: dt.datetime, note: str,
    revision_deadline: dt.date | None,
) -> dict[str, Any]:
    """Apply the side effects of a transition on the row; returns event data."""
    data: dict[str, Any] = {}
    action = transition.action
    if action == "submit":
        from .tracking import tracking_code_next

        application.submitted_at = now
        if not application.tracking_code:
            application.tracking_code = tracking_code_next(
                service_code=application.service_code, when=now
            )
    elif action == "accept":
        if application.clock_started_at is None:
            clock.clock_start(application, now=now)
            data["clock"] = "started"
    elif action == "return":
        application.revision_message = note
        application.revision_deadline = revision_deadline or (
            timezone.localdate(now) + dt.timedelta(days=DEFAULT_REVISION_DAYS)
        )
        data["revision_deadline"] = application.revision_deadline.isoformat()
        if application.clock_started_at is not None:
            clock.clock_pause(application, now=now, reason=_("menunggu perbaikan dari pemohon"))
            data["clock"] = "paused"
    elif action == "resubmit":
        if clock.clock_resume(application, now=now) is not None:
            data["clock"] = "resumed"
        application.revision_message = ""
        application.revision_deadline = None
    elif action in {"approve", "reject"}:
        application.decided_at = now
        application.decision_note = note
        clock.clock_stop(application, now=now)
    elif action == "complete":
        application.completed_at = now
    if application.due_at is not None and data.get("clock") in {"started", "resumed"}:
        data["due_at"] = application.due_at.isoformat()
        data["reasons"] = list(application.sla_reasons)
    return data


def application_transition(
    *,
    application_id: int,
    action: str,
    actor: Any,
    note: str = "",
    revision_deadline: dt.date | None = None,
    scope: StaffScope | None = None,
    now: dt.datetime | None = None,
    before_save: Callable[[Application], None] | None = None,
    checked: Collection[str] | None = None,
    record: Mapping[str, Any] | None = None,
    locked: Application | None = None,
    prior_events: Sequence[ApplicationEvent] = (),
) -> Application:
    """Make one transition atomically. Raises UnknownAction (400), ApplicationNotFound (404),
    WrongRole (403), IllegalTransition (409), NoteRequired / OutputMissing.

    `before_save(application)` runs inside the lock before the row is saved (used by
    submit/resubmit to store the validated form data in the same transaction).

    `checked`: the requirement codes the officer ticked on the verification checklist (the
    staff page sends them); with it, "accept" (berkas lengkap) is refused while a requirement
    that applies to this application is not ticked, and the ticked list goes into the event.
    (API callers, systems that verify elsewhere, send none.)

    `record`: what the officer records to leave the current workflow step forward (its
    `record` fields: text values and PDF uploads), checked by `steps.step_record`.

    `locked`: the application row as this transaction already holds it (the draft that
    create-and-submit inserted a moment ago: nobody else can see it), used instead of reading
    and locking it again; the caller's transaction is then the transition's (no savepoint:
    any error here aborts the caller, as create-and-submit wants). `prior_events`: unsaved
    timeline events to insert with the transition's own, in one statement (that draft's
    "draft saved")."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise UnknownAction(
            _("Tindakan %(action)s tidak dikenal.") % {"action": action},
            extra={"allowed": list(TRANSITIONS)},
        )
    note = (note or "").strip()
    with transaction.atomic(savepoint=locked is None):
        application = locked if locked is not None and locked.pk == application_id else (
            Application.objects.select_for_update().select_related("offering").filter(
                pk=application_id
            ).first()
        )
        if application is None:
            raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
        _authorize(application, transition, actor=actor, scope=scope)
        if application.status not in transition.sources:
            raise IllegalTransition(
                _("Tindakan \"%(action)s\" tidak dapat dilakukan pada status \"%(status)s\".")
                % {"action": transition.label, "status": application.get_status_display()},
                extra={"status": application.status, "action": action},
            )
        refusal = _guard(application, transition)
        workflow = steps.workflow_for(application)
        refusal = refusal or steps.step_guard(application, action, workflow)
        if refusal:
            raise IllegalTransition(refusal, extra={
                "status": application.status, "action": action,
                "step": application.current_step,
            })
        if transition.note_required and not note:
            message = (
                _("Alasan penolakan wajib diisi.") if action == "reject"
                else _("Pesan perbaikan untuk pemohon wajib diisi.")
            )
            raise NoteRequired(message, extra={"fields": {"note": [message]}})
        if action == "complete" and not application.output_sha256 and _platform_output(
            application
        ):
            raise OutputMissing(
                _("Terbitkan atau unggah dokumen keluaran sebelum menyelesaikan permohonan.")
            )
        checklist = _checklist(application, action, checked)
        now = now or timezone.now()
        from_status = application.status
        if before_save is not None:
            before_save(application)
        data = _effects(
            application, transition, now=now, note=note, revision_deadline=revision_deadline
        )
        data.update(steps.step_move(
            application, action, workflow=workflow, now=now, actor=actor, note=note,
            record=record,
        ))
        application.status = transition.target
        application.save()
        if checklist is not None:
            data["checklist"] = checklist
        event = ApplicationEvent(
            application=application, kind=EventKind.TRANSITION, from_status=from_status,
            to_status=application.status, actor_id=getattr(actor, "pk", None), note=note,
            data={"action": action, **data},
        )
        if prior_events:
            ApplicationEvent.objects.bulk_create([*prior_events, event])
        else:
            event.save(force_insert=True)
        from .notifications import notify_status_change

        if from_status != application.status:  # a hand-off between steps is in the timeline
            # the citizen acting on their own application is the recipient: already loaded
            recipient = actor if application.applicant_id == getattr(actor, "pk", None) else None
            notify_status_change(application=application, event=event, recipient=recipient)
        application_event_recorded(event_id=event.pk)  # e.g. webhooks, delivered on commit
        if application.status == Status.COMPLETED:
            application_completed(application_id=application.pk)  # e.g. the SKM invitation
    return application


def _checklist(
    application: Application, action: str, checked: Collection[str] | None
) -> list[str] | None:
    """The ticked requirement codes for an "accept" with a checklist; raises
    ChecklistIncomplete naming what applies and is not ticked."""
    if action != "accept" or checked is None:
        return None
    from .formspec import form_spec_for

    spec = form_spec_for(application.offering, version_id=application.service_version_id)
    values = application.form_data or {}
    ticked = set(checked)
    missing = [r.label for r in spec.requirements if r.is_required(values) and r.code not in ticked]
    if missing:
        raise ChecklistIncomplete(
            _("Tandai semua persyaratan wajib sebelum menyatakan berkas lengkap: %(items)s.")
            % {"items": ", ".join(missing)},
            extra={"missing": missing},
        )
    return sorted(ticked & {r.code for r in spec.requirements})


def _output_missing(application: Application) -> bool:
    """The service expects an output document the platform keeps, and there is none yet.
    Reads the already loaded service version when the caller selected it."""
    if application.output_sha256:
        return False
    if Application.service_version.is_cached(application):
        document = application.service_version.output_document or {}
        return bool(document.get("template"))
    return _platform_output(application)


def _platform_output(application: Application) -> bool:
    """True when the service expects an output document the platform keeps."""
    from catalog.models import ServiceVersion

    version = ServiceVersion.objects.filter(pk=application.service_version_id).only(
        "output_document"
    ).first()
    document = (version.output_document if version else None) or {}
    return bool(document.get("template"))
