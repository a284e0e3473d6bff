"""Demo content of the applications app (core.discovery `seed_demo_tenant`): a few
applications of the demo citizen (warga@example.id) in different states, with vault
documents. Skipped when the catalogue or the offerings are missing; idempotent."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)

DEMO_CITIZEN = "warga@example.id"
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# (service code, actions after submission)
DEMO_FLOWS = (
    ("KK-UBAH", ()),
    ("KTP-UBAH", ("start_verification",)),
    ("KK-HILANG", ("start_verification", "return")),
    ("AKTA-LAHIR", ("start_verification", "accept")),
    # across OPDs: DPMPTSP front office → Dinas Kesehatan (technical check) → DPMPTSP decision
    ("SIP-DOKTER", ("start_verification", "accept", "forward", "approve")),
)


def _demo_region(kind: str) -> str:
    """The first desa/kelurahan (or its kecamatan) of the tenant, '' when it has none."""
    from regions.models import Village

    village = Village.objects.filter(is_active=True, district__is_active=True).select_related(
        "district"
    ).order_by("code").first()
    if village is None:
        return ""
    return village.district.code if kind == "region_district" else village.code


def _demo_form_data(spec: Any, user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in spec.fields:
        kind, name = field.get("type"), field["name"]
        if kind == "nik":
            data[name] = "3273014101900001"
        elif kind == "phone":
            data[name] = "6281234567890"
        elif kind == "email":
            data[name] = user.email or ""
        elif kind == "choice":
            data[name] = (field.get("choices") or [{}])[0].get("value", "")
        elif kind == "date":
            data[name] = "1990-01-01"
        elif kind == "number":
            data[name] = (field.get("validation") or {}).get("min") or 1
        elif kind in {"region_district", "region_village"}:
            data[name] = _demo_region(kind)
        else:
            validation = field.get("validation") or {}
            if "\\d{16}" in str(validation.get("pattern", "")):
                data[name] = "3273010101010001"
            elif field.get("required"):
                text = "Data contoh untuk demo MPP Digital"
                data[name] = text.ljust(int(validation.get("min_length") or 0), ".")
            else:
                data[name] = ""
    return data


def _demo_step_record() -> dict[str, Any]:
    """What Dinas Kesehatan records to pass the SIP technical check (catalog seed workflow)."""
    return {
        "nomor_str_terverifikasi": "KKI.3273/STR-2024/0001", "masa_berlaku_str": "seumur hidup",
        "rekomendasi_teknis": SimpleUploadedFile("rekomendasi.pdf", DEMO_PDF),
    }


def seed_demo_tenant(*, tenant: Any) -> None:
    from accounts.models import User
    from agencies.models import StaffRole
    from services.models import Offering
    from vault.models import Document

    from .attachments import documents_attach, sharing_plan
    from .formspec import form_spec_for
    from .models import Application, Status
    from .statemachine import application_transition
    from .vault import vault_document_create

    with schema_context("public"):
        citizen = User.objects.filter(email=DEMO_CITIZEN).first()
    if citizen is None or Application.objects.filter(applicant_id=citizen.pk).exists():
        return
    admin_role = StaffRole.objects.filter(role=StaffRole.Role.TENANT_ADMIN, is_active=True).first()
    if admin_role is None:
        return
    with schema_context("public"):
        admin = User.objects.get(pk=admin_role.user_id)
    offerings = {
        o.service_code: o for o in Offering.objects.select_related("service_version").filter(
            service_code__in=[code for code, _ in DEMO_FLOWS], is_enabled=True
        )
    }
    if not offerings:
        logger.info("applications demo skipped in %s: no offerings", tenant.schema_name)
        return
    # the citizen's vault is one across regencies: the documents of the first seeded tenant
    documents: dict[str, int] = {}
    for document in Document.objects.filter(owner_id=citizen.pk, deleted_at__isnull=True):
        documents.setdefault(document.document_type, document.pk)
    for code, actions in DEMO_FLOWS:
        offering = offerings.get(code)
        if offering is None:
            continue
        spec = form_spec_for(offering)
        with transaction.atomic():
            for requirement in spec.requirements:
                if requirement.document_type not in documents:
                    upload = SimpleUploadedFile(
                        f"{requirement.document_type.lower()}.pdf", io.BytesIO(DEMO_PDF).read()
                    )
                    documents[requirement.document_type] = vault_document_create(
                        owner=citizen, upload=upload, document_type=requirement.document_type
                    ).pk
            application = Application.objects.create(
                offering=offering, service_code=offering.service_code,
                service_version_id=offering.service_version_id, agency_id=offering.agency_id,
                applicant_id=citizen.pk, status=Status.DRAFT,
                form_data=_demo_form_data(spec, citizen),
                documents={r.code: documents[r.document_type] for r in spec.requirements},
                lookup_digits=["0001", "7890"],
            )
            application = application_transition(application_id=application.pk,
                                                 action="submit", actor=citizen)
            # the demo citizen agreed to share these with the OPDs here (the consent screen)
            documents_attach(application=application, actor=citizen, plan=sharing_plan(
                owner_id=citizen.pk, offering=offering, spec=spec,
                documents=application.documents,
            ))
            for action in actions:
                application_transition(
                    application_id=application.pk, action=action, actor=admin,
                    note="Mohon unggah ulang dokumen yang lebih jelas." if action == "return"
                    else "", record=_demo_step_record() if action == "forward" else None,
                )


# ---------------------------------------------------------------------------------------------
# Simulated activity (core.discovery `seed_demo_activity`): months of applications of the
# demo citizens (accounts.seeding) across the tenant's OPDs, in every status, with their
# workflow steps, bulk-inserted. Each application's life is planned on the work calendar
# (intake, acceptance, steps, decision, hand-over), then replayed up to now: what happened
# since is its state. Deterministic for a given `rng`; a tenant that has activity is skipped.

ACTIVITY_KEY = "demo-activity-"
SEEDED_AT = "seeded_at"  # the simulated time of a demo timeline event (see seed_demo_activity)


def _activity_calendar() -> Any:
    from django.utils import timezone

    from sla.selectors import calendar_current, engine_calendar

    version = calendar_current()
    year = timezone.now().year
    return version, engine_calendar(version, years=range(year - 1, year + 2))


class _Clock:
    """Due instants on the tenant calendar, computed with the SLA engine (as the clock and
    the steps do), with the calendar loaded once."""

    def __init__(self) -> None:
        self.version, self.calendar = _activity_calendar()

    def due(self, start: Any, value: int, unit: str, pauses: list[tuple[Any, Any]] = ()) -> Any:
        from sla.engine import Pause, Target, compute_due
        from sla.models import TargetUnit
        from sla.selectors import UNIT_TO_KIND

        target = Target(UNIT_TO_KIND[TargetUnit(unit)], value)
        return compute_due(start, target, self.calendar,
                           [Pause(s, e) for s, e in pauses]).due

    def at_risk(self, start: Any, value: int, unit: str, threshold: Any) -> Any:
        from fractions import Fraction

        from sla.engine import Target, at_risk_instant
        from sla.models import TargetUnit
        from sla.selectors import UNIT_TO_KIND

        target = Target(UNIT_TO_KIND[TargetUnit(unit)], value)
        return at_risk_instant(start, target, self.calendar, [], threshold=Fraction(threshold))


def _plan(rng: Any, *, path: list[Any], t0: Any, clock: _Clock, policy: Any, on_time: bool,
          hours: Any) -> tuple[list[tuple[Any, str]], dict[str, Any]]:
    """The planned life of one application: [(instant, action)], and the clock figures."""
    events: list[tuple[Any, str]] = [(t0, "submit")]
    t = t0 + hours(rng.uniform(0.3, 20))
    roll = rng.random()
    if roll < 0.03:
        return [*events, (t0 + hours(rng.uniform(1, 30)), "cancel")], {}
    events.append((t, "start_verification"))
    if roll < 0.15:  # incomplete: back to the citizen, most come back
        t += hours(rng.uniform(1, 6))
        events.append((t, "return"))
        if rng.random() < 0.15:
            return events, {}
        t += hours(rng.uniform(10, 120))
        events.append((t, "resubmit"))
        t += hours(rng.uniform(2, 40))
        events.append((t, "start_verification"))
    t += hours(rng.uniform(0.5, 6))
    if roll > 0.96:
        return [*events, (t, "reject")], {}
    events.append((t, "accept"))
    due = clock.due(t, policy.target_value, policy.target_unit)
    at_risk = clock.at_risk(t, policy.target_value, policy.target_unit,
                            policy.at_risk_threshold)
    span = due - t
    decided = t + span * rng.uniform(0.2, 0.95) if on_time else due + hours(rng.uniform(2, 120))
    from catalog.workflow import DECIDE

    decision = next((i for i, s in enumerate(path) if i and DECIDE in s.outcomes), len(path) - 1)
    # the steps between acceptance and the decision share the time (the decision step last)
    cuts = sorted(rng.random() for _ in range(max(decision - 1, 0)))
    for cut in cuts:
        events.append((t + (decided - t) * cut, "forward"))
    outcome = "reject" if rng.random() < 0.06 else "approve"
    events.append((decided, outcome))
    if outcome == "approve":
        events.append((decided + hours(rng.uniform(2, 72)), "complete"))
    return events, {"clock_started_at": t, "due_at": due, "at_risk_at": at_risk}


def seed_demo_activity(*, tenant: Any, days: int, rng: Any) -> int:
    """Simulate `days` days of applications in this tenant; returns how many were added."""
    import datetime as dt

    from django.db.models import DateTimeField, F
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast, Coalesce
    from django.utils import timezone

    from accounts.models import User
    from accounts.seeding import DEMO_CITIZENS_DOMAIN
    from agencies.models import Agency, StaffRole
    from agencies.selectors import agency_kind_mappings
    from catalog.workflow import workflow_of
    from services.models import Offering
    from sla.selectors import policy_for

    from .formspec import form_spec_for
    from .models import (
        Application,
        ApplicationEvent,
        ApplicationStep,
        EventKind,
        SlaState,
        Status,
        StepOutcome,
    )
    from .tracking import tracking_counters, tracking_counters_raise, tracking_prefix

    if Application.objects.filter(idempotency_key__startswith=ACTIVITY_KEY).exists():
        return 0
    with schema_context("public"):
        citizens = list(User.objects.filter(email__endswith=DEMO_CITIZENS_DOMAIN)
                        .order_by("email").values_list("pk", flat=True))
    staff = list(StaffRole.objects.filter(is_active=True).order_by("pk")
                 .values_list("user_id", flat=True))
    offerings = list(Offering.objects.select_related("service_version", "sla_policy")
                     .filter(is_enabled=True).order_by("service_code"))
    if not citizens or not staff or not offerings:
        logger.info("applications activity skipped in %s", tenant.schema_name)
        return 0
    mappings = agency_kind_mappings()
    agency_names = {pk: short or name for pk, short, name in
                    Agency.objects.values_list("pk", "short_name", "name")}
    timelines: list[list[dict[str, Any]]] = []
    clock = _Clock()
    now = timezone.now()
    hours = lambda h: dt.timedelta(hours=h)  # noqa: E731
    # what each offering needs: its workflow path, SLA policy and a filled-in form
    kinds: dict[int, Any] = {}
    for offering in offerings:
        workflow = workflow_of(offering.service_version)
        form = _demo_form_data(form_spec_for(offering), SimpleNamespace(email=""))
        path = [workflow.first]
        while (step := workflow.next_step(path[-1].code, form)) is not None:
            path.append(step)
        kinds[offering.pk] = (path, policy_for(offering=offering), form)
    # popular services get more applications (adminduk above permits)
    weights = [rng.uniform(3, 9) if o.service_code.startswith(("KTP", "KK", "AKTA", "KIA"))
               else rng.uniform(0.5, 2.5) for o in offerings]
    per_day = rng.uniform(2, 5.5)
    growth = rng.uniform(-0.3, 0.9)  # adoption over the period
    quality = rng.uniform(0.55, 0.97)  # share decided on time
    drift = rng.uniform(-0.2, 0.2)  # improving or slipping over the period
    sequences: dict[str, int] = tracking_counters()  # numbers already issued (ADR 0014)
    for code in Application.objects.exclude(tracking_code=None).values_list(
            "tracking_code", flat=True):
        prefix, _sep, number = code.rpartition("-")
        sequences[prefix + "-"] = max(sequences.get(prefix + "-", 0), int(number))
    planned: list[tuple[Any, Any, list[tuple[Any, str]], dict[str, Any]]] = []
    for day in range(days, -1, -1):
        progress = 1 - day / days
        expected = per_day * (1 + growth * progress)
        weekday = (now - dt.timedelta(days=day)).weekday()
        count = 0 if weekday == 6 else max(0, round(rng.gauss(expected, expected / 4)
                                                        * (0.4 if weekday == 5 else 1)))
        for _n in range(count):
            t0 = now - dt.timedelta(days=day) + hours(rng.uniform(-9, 0))
            if t0 > now - dt.timedelta(minutes=5):
                continue
            offering = rng.choices(offerings, weights)[0]
            path, policy, _form = kinds[offering.pk]
            on_time = rng.random() < min(0.99, max(0.3, quality + drift * (progress - 0.5) * 2))
            events, figures = _plan(rng, path=path, t0=t0, clock=clock, policy=policy,
                                    on_time=on_time, hours=hours)
            planned.append((offering, t0, events, figures))
    applications: list[Any] = []
    step_rows: list[list[dict[str, Any]]] = []
    for index, (offering, _t0, events, figures) in enumerate(planned):
        path, _policy, form = kinds[offering.pk]
        citizen_id = citizens[rng.randrange(len(citizens))]
        officer = staff[rng.randrange(len(staff))]
        app = Application(
            offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency_id=offering.agency_id,
            applicant_id=citizen_id, status=Status.DRAFT, form_data=form,
            lookup_digits=[f"{citizen_id % 10000:04d}", "7890"],
            idempotency_key=f"{ACTIVITY_KEY}{index}", involved_agencies=[],
            calendar_version=None,
        )
        rows: list[dict[str, Any]] = []
        position = 0

        def open_step(at: Any, pos: int, app: Any = app, rows: list[Any] = rows,
                      path: list[Any] = path, offering: Any = offering) -> None:
            step = path[pos]
            agency_id = mappings.get(step.agency_kind) or offering.agency_id
            app.agency_id, app.current_step = agency_id, step.code
            if agency_id not in app.involved_agencies:
                app.involved_agencies.append(agency_id)
            rows.append({
                "step_code": step.code, "step_name": step.name, "agency_kind": step.agency_kind,
                "agency_id": agency_id, "started_at": at, "sla_value": step.sla_value,
                "sla_unit": step.sla_unit, "due_at": clock.due(at, step.sla_value, step.sla_unit),
                "finished_at": None, "outcome": "", "paused_at": None, "sla_pauses": [],
                "assignee_id": None, "record": {},
            })

        def close_step(at: Any, outcome: str, rows: list[Any] = rows, officer: int = officer,
                       index: int = index) -> None:
            row = rows[-1]
            row.update(finished_at=at, outcome=outcome, paused_at=None,
                       assignee_id=row["assignee_id"] or officer)
            if row["step_code"] == "verifikasi_teknis" and outcome == StepOutcome.FORWARD:
                row["record"] = {"nomor_str_terverifikasi": f"KKI/STR/{index:05d}",
                                 "masa_berlaku_str": "seumur hidup"}

        timeline: list[dict[str, Any]] = []
        for at, action in events:
            if at > now:
                break
            before, opened = app.status, len(rows)
            if action == "submit":
                app.status, app.submitted_at = Status.SUBMITTED, at
                prefix = tracking_prefix(region_code=tenant.region_code,
                                         service_code=offering.service_code, when=at,
                                         tz=tenant.timezone)
                sequences[prefix] = sequences.get(prefix, 0) + 1
                app.tracking_code = f"{prefix}{sequences[prefix]:04d}"
                open_step(at, 0)
            elif action == "start_verification":
                app.status = Status.IN_VERIFICATION
                rows[-1]["assignee_id"] = officer
                app.assigned_to_id = officer
            elif action == "return":
                app.status = Status.RETURNED
                app.revision_message = "Mohon unggah ulang dokumen yang lebih jelas."
                app.revision_deadline = (at + dt.timedelta(days=14)).date()
                rows[-1].update(paused_at=at, due_at=None,
                                sla_pauses=[{"start": at.isoformat(), "end": None}])
            elif action == "resubmit":
                app.status, app.revision_message, app.revision_deadline = (
                    Status.RESUBMITTED, "", None)
                row = rows[-1]
                start = dt.datetime.fromisoformat(row["sla_pauses"][-1]["start"])
                row["sla_pauses"] = [{"start": start.isoformat(), "end": at.isoformat()}]
                row["paused_at"] = None
                row["due_at"] = clock.due(row["started_at"], row["sla_value"], row["sla_unit"],
                                          [(start, at)])
            elif action == "accept":
                app.status = Status.IN_PROCESS
                app.clock_started_at = figures["clock_started_at"]
                app.due_at, app.at_risk_at = figures["due_at"], figures["at_risk_at"]
                app.calendar_version, app.sla_state = clock.version.pk, SlaState.ON_TRACK
                close_step(at, StepOutcome.FORWARD)
                position += 1
                open_step(at, position)
            elif action == "forward":
                close_step(at, StepOutcome.FORWARD)
                position += 1
                open_step(at, position)
            elif action in {"approve", "reject"}:
                app.status = Status.APPROVED if action == "approve" else Status.REJECTED
                app.decided_at = at
                app.decision_note = "" if action == "approve" else "Persyaratan tidak terpenuhi."
                if app.clock_started_at is not None:
                    app.sla_state = SlaState.MET if at <= app.due_at else SlaState.MISSED
                close_step(at, StepOutcome.APPROVE if action == "approve" else StepOutcome.REJECT)
                if action == "approve" and position + 1 < len(path):
                    position += 1
                    open_step(at, position)
            elif action == "complete":
                app.status, app.completed_at = Status.COMPLETED, at
                close_step(at, StepOutcome.COMPLETE)
            elif action == "cancel":
                app.status = Status.CANCELLED
                close_step(at, StepOutcome.CANCEL)
            # the timeline as the state machine writes it (a hand-off names step, OPD and due)
            data: dict[str, Any] = {"action": action, SEEDED_AT: at.isoformat()}
            if len(rows) > opened:
                arrived = rows[-1]
                data.update(step=arrived["step_code"], agency_id=arrived["agency_id"],
                            step_name=arrived["step_name"],
                            agency_name=agency_names.get(arrived["agency_id"], ""),
                            step_due_at=arrived["due_at"].isoformat()
                            if arrived["due_at"] else None)
            timeline.append({
                "from_status": before, "to_status": app.status, "data": data,
                "actor_id": citizen_id if action in {"submit", "resubmit", "cancel"}
                else officer,
                "note": app.revision_message if action == "return" else "",
            })
        if app.status == Status.IN_PROCESS and app.sla_state == SlaState.ON_TRACK:
            if app.due_at <= now:
                app.sla_state = SlaState.BREACHED
            elif app.at_risk_at and app.at_risk_at <= now:
                app.sla_state = SlaState.AT_RISK
        for row in rows:
            if row["finished_at"] is not None:
                late = row["due_at"] is not None and row["finished_at"] > row["due_at"]
                row["sla_state"] = SlaState.MISSED if late else SlaState.MET
            elif row["due_at"] is not None and row["due_at"] <= now:
                row["sla_state"] = SlaState.BREACHED
            else:
                row["sla_state"] = SlaState.ON_TRACK
        applications.append(app)
        step_rows.append(rows)
        timelines.append(timeline)
    drafts = max(2, len(applications) // 40)
    for n in range(drafts):  # a few drafts, saved and never sent
        offering = offerings[rng.randrange(len(offerings))]
        citizen_id = citizens[rng.randrange(len(citizens))]
        app = Application(
            offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency_id=offering.agency_id,
            applicant_id=citizen_id, status=Status.DRAFT,
            form_data=kinds[offering.pk][2],
            idempotency_key=f"{ACTIVITY_KEY}draft-{n}",
        )
        applications.append(app)
        step_rows.append([])
        timelines.append([])
    with transaction.atomic():
        created = Application.objects.bulk_create(applications, batch_size=500)
        # auto_now(_add) stamps the insert time: back to the simulated times (one statement)
        Application.objects.filter(
            idempotency_key__startswith=ACTIVITY_KEY, submitted_at__isnull=False
        ).update(
            created_at=F("submitted_at") - dt.timedelta(minutes=25),
            updated_at=Coalesce("completed_at", "decided_at", "submitted_at"),
        )
        tracking_counters_raise(sequences)  # the next real submission follows the seeded codes
        ApplicationStep.objects.bulk_create([
            ApplicationStep(application_id=app.pk, **row)
            for app, rows in zip(created, step_rows, strict=True) for row in rows
        ], batch_size=1000)
        ApplicationEvent.objects.bulk_create([
            ApplicationEvent(application_id=app.pk, kind=EventKind.TRANSITION, **event)
            for app, timeline in zip(created, timelines, strict=True) for event in timeline
        ], batch_size=1000)
        # created_at is stamped on insert: back to each event's simulated time (one statement)
        ApplicationEvent.objects.filter(data__has_key=SEEDED_AT).update(
            created_at=Cast(KT(f"data__{SEEDED_AT}"), output_field=DateTimeField())
        )
    return len(created)
