"""Reads of the applications app. Every selector takes the actor and hides what the actor may
not see (404, never a hint that the row exists)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationNotFound, DocumentNotFound
from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    WORKLIST_ORDER,
    Application,
    ApplicationEvent,
    ApplicationStep,
    AttachedDocument,
    EventKind,
    Notification,
    SlaState,
    Status,
)
from .permissions import StaffScope
from .tracking import TRACKING_CODE_RE, normalize_tracking_code

# --------------------------------------------------------------------------- citizen


def applications_of(*, user: Any) -> QuerySet[Application]:
    """The user's applications in this tenant, newest first (constant queries)."""
    return (
        Application.objects.filter(applicant_id=user.pk)
        .select_related("service_version", "agency")
        .order_by("-created_at", "-id")
    )


def application_for_applicant(*, user: Any, application_id: int) -> Application:
    application = (
        Application.objects.select_related(
            "service_version", "agency", "offering", "offering__sla_policy"
        ).filter(pk=application_id, applicant_id=user.pk).first()
    )
    if application is None:
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    return application


def application_by_ref(ref: str | int) -> Q:
    text = str(ref).strip()
    if text.isascii() and text.isdigit():  # "²".isdigit() is True but int("²") fails
        return Q(pk=int(text))
    return Q(tracking_code=normalize_tracking_code(text))


def timeline(*, application: Application, include_internal: bool = False) -> list[ApplicationEvent]:
    """Events, oldest first, with the actor (one query). Citizens see transitions, outputs
    and deadline changes; staff also see comments, assignments and document access."""
    qs = ApplicationEvent.objects.filter(application=application).select_related("actor")
    if not include_internal:
        qs = qs.filter(kind__in=[
            EventKind.TRANSITION, EventKind.OUTPUT_ISSUED, EventKind.SLA_RECOMPUTED,
            EventKind.DEEMED_APPROVED,
        ])
    return list(qs.order_by("created_at", "id"))


def notifications_of(*, application: Application) -> list[Notification]:
    return list(Notification.objects.filter(application=application).order_by("-created_at"))


def notification_summary(*, application: Application) -> dict[str, int]:
    summary = {"sent": 0, "queued": 0, "failed": 0}
    for status in Notification.objects.filter(application=application).values_list(
        "status", flat=True
    ):
        summary[status] = summary.get(status, 0) + 1
    return summary


# --------------------------------------------------------------------------- vault


def vault_documents_of(*, user: Any) -> QuerySet[Any]:
    """The citizen's vault, across regencies (vault.selectors)."""
    from vault.selectors import documents_of

    return documents_of(user=user)


def vault_document_for_owner(*, user: Any, document_id: int) -> Any:
    from vault.selectors import document_for_owner

    return document_for_owner(user=user, document_id=document_id)


def application_documents(*, application: Application) -> dict[int, Any]:
    """{vault document id: what to show} for the documents an application names: this
    regency's copies once submitted (they outlive a deletion from the vault), the citizen's
    vault documents for a draft. One query."""
    ids = {int(v) for v in (application.documents or {}).values() if v}
    if not ids:
        return {}
    if application.status == Status.DRAFT:
        from vault.selectors import documents_by_id

        return documents_by_id(owner_id=application.applicant_id, ids=ids)
    return {
        copy.source_document_id: copy
        for copy in AttachedDocument.objects.filter(
            source_document_id__in=ids, owner_id=application.applicant_id
        )
    }


def document_for_staff(
    *, scope: StaffScope, application_id: int, document_id: int
) -> tuple[Application, AttachedDocument]:
    """This regency's copy of a document, for staff who see a submitted application that
    names it (an OPD on its steps, or the tenant's admins). `document_id` is the vault id the
    application names. Only this schema's copies are looked at: a document never attached
    here cannot be found, whatever the id. 404 otherwise."""
    application = (
        Application.objects.filter(pk=application_id).exclude(status=Status.DRAFT)
        .select_related("agency").first()
    )
    if application is None or not scope.sees_application(application):
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    if document_id not in {int(v) for v in (application.documents or {}).values()}:
        raise DocumentNotFound(_("Dokumen tidak ditemukan."))
    document = AttachedDocument.objects.filter(
        source_document_id=document_id, owner_id=application.applicant_id
    ).first()
    if document is None:
        raise DocumentNotFound(_("Dokumen tidak ditemukan."))
    return application, document


# --------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class WorklistFilters:
    status: str = ""
    sla_state: str = ""
    service: str = ""
    due_before: dt.date | None = None
    assigned: str = ""  # "me" | "none" | ""
    q: str = ""
    step: str = ""  # the workflow step holding the file (drill-down from the reports)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> WorklistFilters:
        due_before = None
        raw = str(params.get("due_before") or "").strip()
        if raw:
            try:
                due_before = dt.date.fromisoformat(raw)
            except ValueError:
                due_before = None
        status = str(params.get("status") or "")
        sla_state = str(params.get("sla_state") or "")
        return cls(
            status=status if status in Status.values or status == "all" else "",
            sla_state=sla_state if sla_state in SlaState.values else "",
            service=str(params.get("service") or "").upper()[:12],
            due_before=due_before,
            assigned=str(params.get("assigned") or "") if params.get("assigned") in {
                "me", "none"} else "",
            q=str(params.get("q") or "").strip()[:40],
            step=re.sub(r"[^a-z0-9_]", "", str(params.get("step") or "").lower())[:60],
        )


def worklist(*, scope: StaffScope, user: Any, filters: WorklistFilters | None = None) -> QuerySet[
    Application
]:
    """Submitted applications of the user's OPDs (all for tenant admins), most urgent first:
    breached, at risk, then by deadline. A page is `worklist_page` of it (keyset: two
    queries, the rows and a count capped at COUNT_CAP)."""
    filters = filters or WorklistFilters()
    qs = Application.objects.exclude(status=Status.DRAFT)
    if not scope.is_admin:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    if filters.status == "all":
        pass
    elif filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.sla_state:
        qs = qs.filter(sla_state=filters.sla_state)
    if filters.service:
        qs = qs.filter(service_code=filters.service)
    if filters.step:
        qs = qs.filter(current_step=filters.step)
    if filters.due_before:
        end = timezone.make_aware(
            dt.datetime.combine(filters.due_before + dt.timedelta(days=1), dt.time.min)
        )
        qs = qs.filter(due_at__lt=end)
    if filters.assigned == "me":
        qs = qs.filter(assigned_to_id=user.pk)
    elif filters.assigned == "none":
        qs = qs.filter(assigned_to__isnull=True)
    if filters.q:
        code = normalize_tracking_code(filters.q)
        qs = qs.filter(tracking_code__startswith=code) if TRACKING_CODE_RE.match(code) or "-" in \
            code else qs.filter(tracking_code__icontains=code)
    # the step waiting at this OPD (the open step row; evaluated for the page's rows only)
    open_step = ApplicationStep.objects.filter(
        application=OuterRef("pk"), finished_at__isnull=True
    ).values("step_name")[:1]
    return qs.select_related(
        "service_version", "agency", "applicant", "assigned_to"
    ).annotate(open_step_name=Subquery(open_step)).order_by(*WORKLIST_ORDER)


# --------------------------------------------------------------------------- worklist pages
# Keyset pagination (issue 14): a page is "the next 25 rows after this row" in the worklist
# order, read from the partial index app_worklist_idx, so page 400 costs what page 1 costs
# and no page counts every open application (the count shown stops at COUNT_CAP).

WORKLIST_PAGE_SIZE = 25
COUNT_CAP = 1000
# (field, nullable) in WORKLIST_ORDER: all ascending, NULLs last
_KEYS: tuple[tuple[str, bool], ...] = (
    ("urgency", False), ("due_at", True), ("submitted_at", True), ("id", False),
)


def _key_values(row: Any) -> list[Any]:
    return [getattr(row, name) for name, _nullable in _KEYS]


def encode_cursor(row: Any) -> str:
    values = [v.isoformat() if isinstance(v, dt.datetime) else v for v in _key_values(row)]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> list[Any] | None:
    """The sort key of the row a page starts after (or ends before); None when the token is
    not one of ours (the first page is shown instead, nothing else happens)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(_KEYS):
            return None
        urgency, due, submitted, pk = values
        return [int(urgency), dt.datetime.fromisoformat(due) if due else None,
                dt.datetime.fromisoformat(submitted) if submitted else None, int(pk)]
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def _beyond(values: list[Any], *, forward: bool, index: int = 0) -> Q:
    """Rows strictly after (forward) or before the key `values`, in the ascending, NULLs-last
    order of _KEYS: greater on the first key, or equal on it and beyond on the rest."""
    if index == len(_KEYS):
        return Q(pk__in=[])  # equal on every key: the row itself, never included
    name, nullable = _KEYS[index]
    value = values[index]
    if value is None:  # NULL sorts last: nothing is greater, every non-NULL is smaller
        past = Q(pk__in=[]) if forward else Q(**{f"{name}__isnull": False})
        same = Q(**{f"{name}__isnull": True})
    else:
        past = Q(**{f"{name}__gt" if forward else f"{name}__lt": value})
        if forward and nullable:
            past |= Q(**{f"{name}__isnull": True})
        same = Q(**{name: value})
    return past | (same & _beyond(values, forward=forward, index=index + 1))


@dataclass
class WorklistPage:
    object_list: list[Application]
    count: int
    count_capped: bool
    next_cursor: str = ""
    prev_cursor: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.prev_cursor)


def worklist_page(
    qs: QuerySet[Application], *, after: str = "", before: str = "",
    size: int = WORKLIST_PAGE_SIZE,
) -> WorklistPage:
    """One page of a worklist queryset (two queries: the rows, and a count up to COUNT_CAP)."""
    counted = qs.order_by()[: COUNT_CAP + 1].count()
    start = decode_cursor(after) if after else None
    end = decode_cursor(before) if before and start is None else None
    if end is not None:  # backwards: the `size` rows just before, read in reverse order
        reverse = [
            models.F(name).desc(nulls_first=True) for name, _nullable in _KEYS
        ]
        rows = list(qs.filter(_beyond(end, forward=False)).order_by(*reverse)[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        page = WorklistPage(rows, min(counted, COUNT_CAP), counted > COUNT_CAP)
        page.prev_cursor = encode_cursor(rows[0]) if more_before and rows else ""
        page.next_cursor = encode_cursor(rows[-1]) if rows else ""
        return page
    if start is not None:
        qs = qs.filter(_beyond(start, forward=True))
    rows = list(qs[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    page = WorklistPage(rows, min(counted, COUNT_CAP), counted > COUNT_CAP)
    page.next_cursor = encode_cursor(rows[-1]) if more_after and rows else ""
    page.prev_cursor = encode_cursor(rows[0]) if start is not None and rows else ""
    return page


# What a worklist row shows (templates/applications/staff/_worklist_table.html).
WORKLIST_ROW_FIELDS = (
    "tracking_code", "service_code", "status", "sla_state", "due_at", "submitted_at",
    "urgency", "agency_id", "applicant_id", "assigned_to_id", "service_version_id",
    "service_version__name", "service_version__name_en",
    "agency__name", "agency__short_name", "applicant__full_name", "assigned_to__full_name",
)


def application_for_staff(*, scope: StaffScope, application_id: int) -> Application:
    application = (
        Application.objects.select_related(
            "service_version", "agency", "offering", "offering__sla_policy", "applicant",
            "assigned_to",
        ).filter(pk=application_id).exclude(status=Status.DRAFT).first()
    )
    if application is None or not scope.sees_application(application):
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    return application


def application_for_staff_by_ref(*, scope: StaffScope, ref: str) -> Application:
    application = (
        Application.objects.select_related("service_version", "agency", "offering")
        .filter(application_by_ref(ref)).exclude(status=Status.DRAFT).first()
    )
    if application is None or not scope.sees_application(application):
        raise ApplicationNotFound(_("Permohonan tidak ditemukan."))
    return application


def assignable_staff(*, application: Application) -> list[Any]:
    """Officers and agency heads of the owning OPD, and tenant admins (for the assign box)."""
    from accounts.models import User
    from agencies.models import StaffRole

    from .permissions import ACTING_ROLES

    ids = set(
        StaffRole.objects.filter(is_active=True).filter(
            Q(role=StaffRole.Role.TENANT_ADMIN)
            | Q(agency_id=application.agency_id, role__in=list(ACTING_ROLES))
        ).values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids).order_by("full_name"))


def worklist_services(*, scope: StaffScope) -> list[str]:
    """The service filter of the worklist: the tenant's offerings in the staff member's scope
    (a handful of rows), not a DISTINCT over every application."""
    from services.models import Offering

    qs = Offering.objects.all()
    if not scope.is_admin:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    return sorted(set(qs.order_by().values_list("service_code", flat=True)))


# --------------------------------------------------------------------------- public


def application_for_tracking(*, code: str, last4: str) -> Application | None:
    """The application with this tracking code whose applicant's NIK or phone ends with
    `last4`; None otherwise (the caller shows one message for both cases)."""
    code = normalize_tracking_code(code)
    digits = "".join(ch for ch in (last4 or "") if ch.isdigit())
    if not TRACKING_CODE_RE.match(code) or len(digits) != 4:
        return None
    application = (
        Application.objects.select_related("service_version", "agency")
        .filter(tracking_code=code).exclude(status=Status.DRAFT).first()
    )
    if application is None or digits not in (application.lookup_digits or []):
        return None
    return application


@dataclass(frozen=True)
class Verification:
    genuine: bool
    reason: str
    application: Application | None = None


def output_verification(*, token: str) -> Verification:
    """Check a verification token: signature, tenant, application, and that the issued
    document's content (and uploaded file hash) is unchanged since it was signed."""
    from django.db import connection

    from .services import OUTPUT_SALT, output_digest

    try:
        payload = signing.loads(token, salt=OUTPUT_SALT)
    except signing.BadSignature:
        return Verification(False, _("Kode verifikasi tidak sah: dokumen ini tidak asli."))
    if not isinstance(payload, dict) or payload.get("s") != connection.schema_name:
        return Verification(False, _("Dokumen ini tidak diterbitkan oleh daerah ini."))
    application = (
        Application.objects.select_related("service_version", "agency", "applicant")
        .filter(pk=payload.get("a")).first()
    )
    if application is None or not application.output_sha256:
        return Verification(False, _("Dokumen tidak ditemukan."))
    if payload.get("h") != output_digest(application):
        return Verification(
            False, _("Dokumen ini sudah diganti atau diubah sejak diterbitkan; tidak berlaku."),
            application,
        )
    return Verification(True, "", application)


__all__ = [
    "WorklistFilters",
    "application_documents",
    "application_for_applicant",
    "application_for_staff",
    "application_for_tracking",
    "applications_of",
    "document_for_staff",
    "output_verification",
    "timeline",
    "worklist",
]


# --------------------------------------------------------------------------- portal


def popular_service_codes(*, limit: int = 6) -> list[tuple[str, int]]:
    """``(service_code, applications)`` of the most requested services (drafts are not
    requests), most first: the portal home's "layanan terpopuler". One aggregate query."""
    rows = (
        Application.objects.exclude(status=Status.DRAFT)
        .values("service_code").annotate(n=Count("id"))
        .order_by("-n", "service_code")[:limit]
    )
    return [(row["service_code"], row["n"]) for row in rows]


def workload_summary(*, scope: StaffScope, user: Any, days: int = 30) -> dict[str, Any]:
    """The staff home's picture of the user's OPDs (all for tenant admins): per OPD the open
    applications by SLA state, unassigned ones and the user's own; and SLA compliance of the
    applications decided in the last `days` days. Two queries whatever the data size."""
    qs = Application.objects.all()
    if not scope.is_admin:
        qs = qs.filter(agency_id__in=scope.agency_ids)
    rows = list(
        qs.filter(status__in=OPEN_STATUSES).values("agency_id", "agency__name").annotate(
            open=Count("id"),
            breached=Count("id", filter=Q(sla_state=SlaState.BREACHED)),
            at_risk=Count("id", filter=Q(sla_state=SlaState.AT_RISK)),
            paused=Count("id", filter=Q(sla_state=SlaState.PAUSED)),
            unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
            mine=Count("id", filter=Q(assigned_to_id=getattr(user, "pk", None))),
        ).order_by("-breached", "-at_risk", "agency__name")
    )
    since = timezone.now() - dt.timedelta(days=days)
    decided = qs.filter(decided_at__gte=since).aggregate(
        met=Count("id", filter=Q(sla_state=SlaState.MET)),
        missed=Count("id", filter=Q(sla_state=SlaState.MISSED)),
    )
    finished = decided["met"] + decided["missed"]
    return {
        "agencies": rows,
        "totals": {key: sum(row[key] for row in rows)
                   for key in ("open", "breached", "at_risk", "paused", "unassigned", "mine")},
        "compliance_days": days,
        "compliance_finished": finished,
        "compliance_pct": round(100 * decided["met"] / finished, 1) if finished else None,
    }


@dataclass(frozen=True)
class StepRow:
    """One line of an application's route: a passage through a step (done or current) or a
    step still ahead (``row`` None)."""

    name: str
    agency: Any
    row: Any = None
    upcoming: bool = False
    optional: bool = False
    sla_text: str = ""

    @property
    def is_current(self) -> bool:
        return self.row is not None and self.row.finished_at is None


_NOT_LOADED = object()


def _loaded_policy(application: Application) -> Any:
    """The offering's SLA policy when it was loaded with the application (None: it has
    none), else a marker that it was not loaded."""
    from django.core.exceptions import ObjectDoesNotExist

    if not Application.offering.is_cached(application):
        return _NOT_LOADED
    offering = application.offering
    if not type(offering).sla_policy.is_cached(offering):
        return _NOT_LOADED
    try:
        return offering.sla_policy
    except ObjectDoesNotExist:
        return None


def workflow_progress(*, application: Application) -> dict[str, Any]:
    """The route of the application across OPDs (issue 13): every step it passed with the
    OPD, dates and outcome, the step holding it now, and the steps still ahead that apply to
    its answers. Three queries (steps with their OPDs; the OPDs and the SLAs in force of the
    steps ahead)."""
    from catalog.workflow import OWNER_KIND

    from .steps import current_step, workflow_for

    workflow = workflow_for(application)
    passed = list(application.steps.select_related("agency").order_by("started_at", "id"))
    rows = [StepRow(name=r.step_name, agency=r.agency, row=r) for r in passed]
    current = current_step(application, workflow) if application.current_step else None
    ahead: list[Any] = []
    if application.status not in CLOSED_STATUSES and application.status != Status.DRAFT:
        code = current.code if current else None
        values = application.form_data or {}
        step = workflow.next_step(code, values) if code else workflow.first
        while step is not None:
            ahead.append(step)
            step = workflow.next_step(step.code, values)
    if ahead:
        from django.db.models import F

        from agencies.models import Agency

        owner_id = application.offering.agency_id
        kinds = {s.agency_kind for s in ahead} - {OWNER_KIND}
        by_kind, owner = {}, None
        for agency in Agency.objects.filter(  # one query: the mapped OPDs and the owner
            Q(kind_mappings__kind__in=kinds) | Q(pk=owner_id)
        ).annotate(kind=F("kind_mappings__kind")):
            by_kind.setdefault(agency.kind, agency)
            owner = agency if agency.pk == owner_id else owner
        from sla.selectors import offering_step_sla_texts

        # the SLA in force here: the tenant may have tightened a step (no query when the
        # page loaded the offering's policy with the application)
        texts = offering_step_sla_texts(application.offering_id, ahead,
                                        policy=_loaded_policy(application))
        for step in ahead:
            agency = by_kind.get(step.agency_kind) if step.agency_kind != OWNER_KIND else None
            rows.append(StepRow(name=step.name, agency=agency or owner, upcoming=True,
                                optional=step.optional,
                                sla_text=texts.get(step.code, step.sla_text)))
    holding = next((r.row for r in rows if r.is_current), None)
    return {"rows": rows, "current": current, "holding": holding, "workflow": workflow,
            "record_fields": list(current.record) if current else []}
