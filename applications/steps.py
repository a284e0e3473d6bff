"""Workflow steps at runtime (issue 13, docs/adr/0011): which step of the service version's
workflow holds an application, which OPD holds it there, and the step's own deadline.

Only the state machine (`applications.statemachine.application_transition`) and the system
transitions of `applications.services` call these functions, inside their row lock: a step
moves together with the status change, its event, notifications and webhooks, in one
transaction.

    status:  submitted/in_verification  →  in_process (…forward…)  →  approved  →  completed
    steps:   first (intake) ──accept──▶ next … ──forward──▶ decision ──approve──▶ hand-over

* The first step is the intake: "Mulai verifikasi" and "Terima: berkas lengkap" (its forward)
  happen there. Later steps are left by `forward` (to the next step that applies to the form
  answers), `send_back` (to the previous one), `approve`/`reject` on a deciding step and
  `complete` on the hand-over step. A return to the citizen pauses the step (and the service
  clock); the resubmission comes back to the same step.
* The holding OPD (`Application.agency`) is the OPD mapped to the step's kind
  (`agencies.AgencyKindMapping`); a kind the tenant has not mapped (or the implicit step of a
  version without workflow) falls back to the OPD that adopted the offering. Go-live is blocked
  while an adopted service names an unmapped kind (onboarding checklist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from catalog.workflow import COMPLETE, DECIDE, FORWARD, REJECT, RETURN, SEND_BACK, Step, Workflow

from .errors import InvalidApplication
from .models import Application, ApplicationStep, SlaState, StepOutcome

MAX_RECORD_FILE = 5 * 1024 * 1024


def workflow_for(application: Application) -> Workflow:
    """The workflow of the version the application started with (immutable once published)."""
    from catalog.models import ServiceVersion
    from catalog.workflow import workflow_of

    if Application.service_version.is_cached(application):
        return workflow_of(application.service_version)
    version = ServiceVersion.objects.only("workflow", "sla_value", "sla_unit").get(
        pk=application.service_version_id
    )
    return workflow_of(version)


def current_step(application: Application, workflow: Workflow) -> Step:
    return workflow.step(application.current_step)


def is_first(application: Application, workflow: Workflow) -> bool:
    return workflow.position(application.current_step) == 0


def step_guard(application: Application, action: str, workflow: Workflow) -> str | None:
    """Why the current step does not allow this action (None: allowed)."""
    if action in {"submit", "resubmit", "cancel", "process"}:
        return None
    step = current_step(application, workflow)
    values = application.form_data or {}
    refusal = _("Langkah \"%(step)s\" tidak mengizinkan tindakan ini.") % {"step": step.name}
    if action in {"start_verification", "accept"}:
        return None if is_first(application, workflow) and FORWARD in step.outcomes else refusal
    if action == "forward":
        if is_first(application, workflow) or FORWARD not in step.outcomes:
            return refusal
        if workflow.next_step(step.code, values) is None:
            return _("Ini langkah terakhir; tidak ada langkah berikutnya.")
        return None
    if action == "send_back":
        if SEND_BACK not in step.outcomes or workflow.previous_step(step.code, values) is None:
            return refusal
        return None
    if action == "return":
        return None if RETURN in step.outcomes else refusal
    if action == "reject":
        return None if step.outcomes & {REJECT, DECIDE} else refusal
    if action == "approve":
        return None if DECIDE in step.outcomes else _(
            "Keputusan diambil pada langkah keputusan; teruskan berkas ke langkah berikutnya."
        )
    if action == "complete":
        if COMPLETE in step.outcomes or not workflow.has_completion_step:
            return None
        return refusal
    return None


def _agency_for(step: Step, application: Application, mappings: Mapping[str, int]) -> int:
    return mappings.get(step.agency_kind) or application.offering.agency_id


def _open(application: Application, step: Step, *, now: dt.datetime,
          mappings: Mapping[str, int] | None = None) -> ApplicationStep:
    from dataclasses import replace

    from sla.selectors import step_due_for, step_target

    if mappings is None:
        from .memo import agency_kind_mappings

        mappings = agency_kind_mappings() if step.agency_kind else {}
    agency_id = _agency_for(step, application, mappings)
    if application.agency_id and agency_id != application.agency_id:
        # handed to another OPD: the file waits, unassigned, in that OPD's worklist until one
        # of its officers claims it or is assigned (the previous officer's task is done)
        application.assigned_to_id = None
    application.agency_id = agency_id
    application.current_step = step.code
    if agency_id not in (application.involved_agencies or []):
        application.involved_agencies = [*(application.involved_agencies or []), agency_id]
    # The step as it runs in this tenant: the catalogue's SLA, or the tenant's tighter target.
    known, targets = _loaded_step_targets(application)
    if known:  # the offering's policy came with it (the form view loads it)
        from sla.selectors import effective_step_target

        value, unit = effective_step_target(targets, step.code, step.sla_value, step.sla_unit)
    else:
        value, unit = step_target(application.offering_id, step.code, step.sla_value,
                                  step.sla_unit)
    step = replace(step, sla_value=value, sla_unit=unit)
    return ApplicationStep.objects.create(
        application=application, step_code=step.code, step_name=step.name,
        agency_kind=step.agency_kind or "", agency_id=agency_id, started_at=now,
        sla_value=step.sla_value, sla_unit=step.sla_unit,
        due_at=step_due_for(value=step.sla_value, unit=step.sla_unit, start=now),
        sla_state=SlaState.ON_TRACK,
    )


def _loaded_step_targets(application: Application) -> tuple[bool, Any]:
    """`(known, step_targets)` of the offering's SlaPolicy when it was loaded with the
    offering (the form view selects it; no policy: None targets); `(False, None)`: read it."""
    from django.core.exceptions import ObjectDoesNotExist

    if not Application.offering.is_cached(application) or application.offering is None:
        return False, None
    offering = application.offering
    descriptor = getattr(type(offering), "sla_policy", None)
    if descriptor is None or not descriptor.is_cached(offering):
        return False, None
    try:
        return True, offering.sla_policy.step_targets
    except ObjectDoesNotExist:  # cached as absent
        return True, None


def _arrival(row: ApplicationStep) -> dict[str, Any]:
    """What the timeline says of a hand-off: the step reached, the OPD holding the file now
    and the step's own deadline (names copied, so the history reads as it was)."""
    from .memo import agencies

    agency = agencies([row.agency_id]).get(row.agency_id)  # the plan's OPD, on submission
    return {
        "step_name": row.step_name,
        "agency_name": (agency.short_name or agency.name) if agency else "",
        "step_due_at": row.due_at.isoformat() if row.due_at else None,
    }


def _open_step(application: Application) -> ApplicationStep | None:
    return ApplicationStep.objects.select_for_update().filter(
        application=application, finished_at__isnull=True
    ).first()


def _close(row: ApplicationStep | None, *, now: dt.datetime, outcome: str, actor: Any,
           note: str = "", record: Mapping[str, Any] | None = None) -> None:
    if row is None:
        return
    row.finished_at = now
    row.outcome = outcome
    row.note = note
    if record:
        row.record = dict(record)
    if row.assignee_id is None and getattr(actor, "pk", None):
        row.assignee_id = actor.pk
    if row.paused_at is not None or row.due_at is None:
        row.sla_state = SlaState.MET if row.sla_state != SlaState.BREACHED else SlaState.MISSED
    else:
        row.sla_state = SlaState.MET if now <= row.due_at else SlaState.MISSED
    row.paused_at = None
    row.save()


def _pause(row: ApplicationStep | None, *, now: dt.datetime) -> None:
    if row is None or row.paused_at is not None:
        return
    row.paused_at = now
    row.sla_pauses = [*(row.sla_pauses or []), {"start": now.isoformat(), "end": None}]
    row.due_at = None
    row.save(update_fields=["paused_at", "sla_pauses", "due_at"])


def _resume(row: ApplicationStep | None, *, now: dt.datetime) -> None:
    from django.utils.dateparse import parse_datetime

    from sla.selectors import step_due_for

    if row is None or row.paused_at is None:
        return
    pauses = list(row.sla_pauses or [])
    if pauses and pauses[-1].get("end") is None:
        pauses[-1] = {**pauses[-1], "end": now.isoformat()}
    row.sla_pauses = pauses
    row.paused_at = None
    closed = [(parse_datetime(p["start"]), parse_datetime(p["end"])) for p in pauses if p.get("end")]
    row.due_at = step_due_for(value=row.sla_value, unit=row.sla_unit, start=row.started_at,
                              pauses=closed)
    row.save(update_fields=["paused_at", "sla_pauses", "due_at"])


def step_record(step: Step, submitted: Mapping[str, Any] | None, *, reference: str
                ) -> dict[str, Any]:
    """Validate and store what staff record to leave ``step`` forward. Text fields are
    stripped strings; documents are PDF uploads stored privately with their sha256.
    Raises InvalidApplication naming each missing or invalid field (nothing is stored then)."""
    submitted = submitted or {}
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    files: list[tuple[str, Any]] = []
    for item in step.record:
        value = submitted.get(item.code)
        if item.kind == "document":
            if value is None or not hasattr(value, "read"):
                if item.required:
                    errors[item.code] = [_("%(label)s wajib diunggah.") % {"label": item.label}]
                continue
            head = value.read(5)
            value.seek(0)
            if head != b"%PDF-" or value.size > MAX_RECORD_FILE:
                errors[item.code] = [_("%(label)s harus berkas PDF paling besar 5 MB.")
                                     % {"label": item.label}]
                continue
            files.append((item.code, value))
        else:
            text = str(value or "").strip()
            if not text and item.required:
                errors[item.code] = [_("%(label)s wajib diisi.") % {"label": item.label}]
            elif text:
                values[item.code] = text[:500]
    if errors:
        message = _("Lengkapi isian langkah \"%(step)s\" sebelum meneruskan berkas.") % {
            "step": step.name}
        raise InvalidApplication(message, extra={"fields": errors})
    for code, upload in files:
        content = upload.read()
        name = default_storage.save(
            f"private/steps/{secrets.token_urlsafe(24)}.pdf", ContentFile(content)
        )
        values[code] = {"file": name, "name": getattr(upload, "name", "") or f"{code}.pdf",
                        "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                        "reference": reference}
    return values


def step_move(
    application: Application, action: str, *, workflow: Workflow, now: dt.datetime,
    actor: Any, note: str = "", record: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Move the application's steps for a transition (inside its row lock). Returns what the
    transition event records about the steps ({"step": code, "from_step": code, ...})."""
    values = application.form_data or {}
    data: dict[str, Any] = {}
    if action == "submit":
        row = _open(application, workflow.first, now=now)
        return {"step": workflow.first.code, "agency_id": application.agency_id,
                **_arrival(row)}
    row = _open_step(application)
    step = current_step(application, workflow)
    if action == "start_verification":
        if row is not None and row.assignee_id is None and getattr(actor, "pk", None):
            row.assignee_id = actor.pk
            row.save(update_fields=["assignee"])
        return data
    if action == "return":
        _pause(row, now=now)
        return {"step": step.code}
    if action in {"resubmit", "process"}:
        _resume(row, now=now)
        return {"step": step.code}
    if action in {"accept", "forward", "approve"}:
        target = workflow.next_step(step.code, values)
        if action == "forward":
            record = step_record(step, record, reference=application.reference)
        outcome = StepOutcome.APPROVE if action == "approve" else StepOutcome.FORWARD
        if target is None and action == "accept":
            return {"step": step.code}  # a one-step workflow: the intake step goes on
        _close(row, now=now, outcome=outcome, actor=actor, note=note, record=record)
        data["from_step"] = step.code
        if target is not None:
            opened = _open(application, target, now=now)
            data.update(step=target.code, agency_id=application.agency_id, **_arrival(opened))
        if record:
            data["record"] = {k: (v["name"] if isinstance(v, dict) else v)
                              for k, v in record.items()}
        return data
    if action == "send_back":
        target = workflow.previous_step(step.code, values)
        _close(row, now=now, outcome=StepOutcome.SEND_BACK, actor=actor, note=note)
        arrival: dict[str, Any] = {}
        if target is not None:
            arrival = _arrival(_open(application, target, now=now))
        return {"from_step": step.code, "step": application.current_step,
                "agency_id": application.agency_id, **arrival}
    outcome = {"reject": StepOutcome.REJECT, "complete": StepOutcome.COMPLETE,
               "cancel": StepOutcome.CANCEL}.get(action)
    if outcome:
        _close(row, now=now, outcome=outcome, actor=actor, note=note)
        return {"from_step": step.code}
    return data


def steps_deem_approved(application_ids: list[int], *, now: dt.datetime) -> None:
    """The deemed approval of the sweep: close each open step as deemed and open the next
    (the hand-over), as an officer's approval would."""
    for application in Application.objects.filter(pk__in=application_ids).select_related(
        "offering"
    ):
        workflow = workflow_for(application)
        step = current_step(application, workflow)
        _close(_open_step(application), now=now, outcome=StepOutcome.DEEMED, actor=None)
        target = workflow.next_step(step.code, application.form_data or {})
        if target is not None:
            _open(application, target, now=now)
        application.save(update_fields=["agency", "current_step", "involved_agencies",
                                        "assigned_to", "updated_at"])


def steps_of(application: Application) -> list[ApplicationStep]:
    """The step history, oldest first, with the OPD of each."""
    return list(application.steps.select_related("agency").order_by("started_at", "id"))


def steps_mark_breached(*, now: dt.datetime, limit: int) -> list[dict[str, Any]]:
    """The SLA sweep's step pass: mark up to ``limit`` open, running steps whose own deadline
    passed as breached, and record a ``step_breached`` event on each application naming the
    step and the OPD that held the file (the breach is attributed there). Returns the rows
    marked (step, OPD, application and its tracking code), for the caller's notifications.

    One index scan on ``app_step_open_due_idx``; rows another worker holds are skipped. The
    events carry a dedup key per step and due instant, so a replay inserts nothing twice."""
    from django.db import connection

    from .models import ApplicationEvent, EventKind

    steps = connection.ops.quote_name(ApplicationStep._meta.db_table)
    apps = connection.ops.quote_name(Application._meta.db_table)
    sql = f"""
        WITH picked AS (
            SELECT id FROM {steps}
            WHERE finished_at IS NULL AND sla_state = 'on_track' AND due_at <= %(now)s
            ORDER BY due_at
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        )
        UPDATE {steps} s SET sla_state = 'breached'
        FROM picked, {apps} a
        WHERE s.id = picked.id AND a.id = s.application_id
        RETURNING s.id, s.application_id, s.step_code, s.step_name, s.agency_kind,
                  s.agency_id, s.assignee_id, s.due_at, s.started_at, a.tracking_code,
                  a.status, a.service_code
    """  # noqa: S608 -- identifiers from model metadata; values are parameters
    columns = ("step_id", "application_id", "step_code", "step_name", "agency_kind",
               "agency_id", "assignee_id", "due_at", "started_at", "tracking_code", "status",
               "service_code")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "limit": limit})
        rows = [dict(zip(columns, raw, strict=True)) for raw in cursor.fetchall()]
    ApplicationEvent.objects.bulk_create([
        ApplicationEvent(
            application_id=row["application_id"], kind=EventKind.STEP_BREACHED,
            from_status=row["status"], to_status=row["status"],
            note=_("Langkah \"%(step)s\" melewati batas waktunya.") % {"step": row["step_name"]},
            data={
                "step": row["step_code"], "step_id": row["step_id"],
                "agency_id": row["agency_id"], "agency_kind": row["agency_kind"],
                "due_at": row["due_at"].isoformat(), "started_at": row["started_at"].isoformat(),
                "detected_at": now.isoformat(),
            },
            dedup_key=f"step:{row['step_id']}:{row['due_at'].strftime('%Y%m%dT%H%M%S')}",
        )
        for row in rows
    ], ignore_conflicts=True)
    return rows
