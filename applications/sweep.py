"""The SLA sweep of one tenant: at-risk and breach transitions, escalation, deemed approval,
and the breach of each workflow step's own deadline (attributed to the step's OPD).

Runs in the tenant's schema (the `monitoring.tasks.sla_sweep_tenant` task, switched by the
worker). It lives in `applications`, the one owner of application state; `sla` stays below it
(calendars, policies, due instants) and imports no application code.
Transitions are found with index scans on the two partial indexes of
`applications.Application` — `at_risk_at WHERE sla_state = 'on_track'` and
`due_at WHERE sla_state IN ('on_track', 'at_risk')` — never by loading open applications:

    UPDATE … SET sla_state = 'breached'
    WHERE id IN (SELECT id … WHERE sla_state IN ('on_track','at_risk') AND due_at <= now
                 ORDER BY due_at LIMIT n FOR UPDATE SKIP LOCKED)
    RETURNING …

Crash safety: each batch (state change + its events + its notifications) is one
transaction. A worker killed mid-sweep rolls back the open batch only; the next run picks
those rows up again (their state did not change). Events carry a dedup key (unique per
application, kind and key) and notifications a dedup key (unique per recipient, channel and
key), so even a replay of an already committed batch inserts nothing twice.

Deemed approval ("fiktif positif"): UU 30/2014 tentang Administrasi Pemerintahan Pasal 53
ayat (2) and (4), as amended by the job-creation law (UU 11/2020 Pasal 175 angka 6, the
numbering kept by UU 6/2023, Penetapan Perppu 2/2022; to be confirmed against the JDIH text
of UU 6/2023): when no regulation sets a time limit the decision is due within 5 working days
of a complete application, and when an official does not decide within the limit the
application is deemed granted by law. Never for adminduk offerings (documents come from SIAK,
`catalog.models.Category.deemed_approval_forbidden`), even if a policy says so. Off by default; per offering via `SlaPolicy.deemed_approval`
(read with getattr until the field exists). When enabled, a complete application (its
clock started) whose deadline passes undecided is recorded as approved with an evidence
event (due date, reasons, calendar version, timestamps, legal basis).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import PENDING_DECISION_STATUSES

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
ESCALATE_KIND = "sla_escalated"
LEGAL_BASIS_DEEMED = (
    "UU 30/2014 tentang Administrasi Pemerintahan Pasal 53 ayat (2) dan (4), sebagaimana "
    "diubah dengan UU 6/2023 (Penetapan Perppu 2/2022 tentang Cipta Kerja) Pasal 175 angka 6"
)
OPEN_STATUSES = [str(status) for status in PENDING_DECISION_STATUSES]  # (SQL parameters)


@dataclass
class SweepCounts:
    at_risk: int = 0
    breached: int = 0
    escalated: int = 0
    deemed_approved: int = 0
    steps_breached: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def escalate_after_working_days() -> int:
    return int(getattr(settings, "MPP_SLA_ESCALATE_AFTER_WORKING_DAYS", 2))


def _key_time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") if value else "none"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- SQL -------------------------------------------------------------------------------------

_RETURNING = (
    "a.id, a.tracking_code, a.status, a.agency_id, a.assigned_to_id, a.applicant_id, "
    "a.offering_id, a.service_code, a.due_at, a.at_risk_at, a.sla_reasons, "
    "a.calendar_version, a.clock_started_at, a.submitted_at, picked.sla_state"
)
_COLUMNS = (
    "id", "tracking_code", "status", "agency_id", "assigned_to_id", "applicant_id",
    "offering_id", "service_code", "due_at", "at_risk_at", "sla_reasons", "calendar_version",
    "clock_started_at", "submitted_at", "from_state",
)


def _table() -> str:
    from .models import Application

    return connection.ops.quote_name(Application._meta.db_table)


def _transition_batch(*, to_state: str, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Move up to `limit` applications whose threshold passed; return them (locked rows)."""
    table = _table()
    if to_state == "breached":
        where = "sla_state IN ('on_track', 'at_risk') AND due_at <= %(now)s"
        order = "due_at"
    else:
        where = "sla_state = 'on_track' AND at_risk_at <= %(now)s AND due_at > %(now)s"
        order = "at_risk_at"
    sql = f"""
        WITH picked AS (
            SELECT id, sla_state FROM {table}
            WHERE {where}
            ORDER BY {order}
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        )
        UPDATE {table} a SET sla_state = %(to_state)s, updated_at = %(now)s
        FROM picked WHERE a.id = picked.id
        RETURNING {_RETURNING}
    """  # noqa: S608 -- identifiers from model metadata; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "limit": limit, "to_state": to_state})
        return _rows(cursor.fetchall())


def _rows(raw: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    rows = [dict(zip(_COLUMNS, row, strict=True)) for row in raw]
    for row in rows:  # Django's psycopg setup returns jsonb as text from raw cursors
        if isinstance(row["sla_reasons"], str):
            row["sla_reasons"] = json.loads(row["sla_reasons"] or "[]")
    return rows


# --- recipients --------------------------------------------------------------------------------


class _Recipients:
    """Staff looked up once per tenant sweep: agency heads per agency, tenant admins."""

    def __init__(self) -> None:
        self._heads: dict[int, list[int]] | None = None
        self._admins: list[int] | None = None

    def _load(self) -> None:
        from agencies.models import StaffRole

        heads: dict[int, list[int]] = defaultdict(list)
        admins: list[int] = []
        for user_id, agency_id, role in StaffRole.objects.filter(
            is_active=True, role__in=[StaffRole.Role.AGENCY_HEAD, StaffRole.Role.TENANT_ADMIN]
        ).values_list("user_id", "agency_id", "role"):
            if role == StaffRole.Role.AGENCY_HEAD and agency_id is not None:
                heads[agency_id].append(user_id)
            elif role == StaffRole.Role.TENANT_ADMIN:
                admins.append(user_id)
        self._heads, self._admins = dict(heads), sorted(set(admins))

    def heads(self, agency_id: int) -> list[int]:
        if self._heads is None:
            self._load()
        return sorted(set((self._heads or {}).get(agency_id, [])))

    def admins(self) -> list[int]:
        if self._admins is None:
            self._load()
        return list(self._admins or [])


# --- events and notifications ------------------------------------------------------------------


def _evidence(row: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    return {
        "due_at": _iso(row["due_at"]),
        "at_risk_at": _iso(row["at_risk_at"]),
        "reasons": row["sla_reasons"] or [],
        "calendar_version": row["calendar_version"],
        "clock_started_at": _iso(row["clock_started_at"]),
        "submitted_at": _iso(row["submitted_at"]),
        "detected_at": now.isoformat(),
        "from_sla_state": row["from_state"],
    }


def _insert_events(events: list[Any]) -> None:
    from .models import ApplicationEvent

    if events:
        ApplicationEvent.objects.bulk_create(events, ignore_conflicts=True)


def _notify(
    *, application_id: int, recipients: list[int], kind: str, dedup_key: str,
    context: dict[str, Any],
) -> list[Any]:
    """The notification requests of one event (sent in one batch by `_send`)."""
    from .notifications import NotificationRequest

    return [
        NotificationRequest(application_id=application_id, recipient_id=recipient_id,
                            kind=kind, dedup_key=dedup_key, context=context)
        for recipient_id in recipients if recipient_id
    ]


def _send(requests: list[Any]) -> int:
    """Insert a batch's notifications at once (recipients, existing rows and the insert: three
    queries, whatever the batch size); idempotent by dedup key; sent on commit."""
    from .notifications import notifications_enqueue_many

    return notifications_enqueue_many(requests) if requests else 0


def _message(kind: str, row: dict[str, Any], tenant_name: str) -> dict[str, Any]:
    code = row["tracking_code"] or f"#{row['id']}"
    due = timezone.localtime(row["due_at"]).strftime("%d-%m-%Y %H:%M") if row["due_at"] else "-"
    texts = {
        "sla_at_risk": (
            f"Permohonan {code} berisiko melewati batas waktu",
            f"Permohonan {code} ({row['service_code']}) di {tenant_name} mendekati batas "
            f"waktu layanan {due}. Mohon segera diproses.",
        ),
        "sla_breached": (
            f"Permohonan {code} melewati batas waktu",
            f"Permohonan {code} ({row['service_code']}) di {tenant_name} melewati batas "
            f"waktu layanan {due}. Alasan batas waktu: {'; '.join(row['sla_reasons'] or []) or '-'}.",
        ),
        ESCALATE_KIND: (
            f"Eskalasi: permohonan {code} terlambat",
            f"Permohonan {code} ({row['service_code']}) di {tenant_name} telah melewati batas "
            f"waktu {due} lebih dari {escalate_after_working_days()} hari kerja.",
        ),
        "deemed_approved": (
            f"Permohonan {code} dianggap dikabulkan",
            f"Permohonan {code} tidak diputuskan sampai batas waktu {due}; menurut "
            f"{LEGAL_BASIS_DEEMED} permohonan dianggap dikabulkan secara hukum.",
        ),
    }
    subject, body = texts[kind]
    return {"subject": subject, "body": body, "tracking_code": code, "tenant_name": tenant_name}


# --- steps ------------------------------------------------------------------------------------


def _deemed_offering_ids() -> set[int]:
    from sla.models import SlaPolicy

    if "deemed_approval" not in {f.name for f in SlaPolicy._meta.get_fields()}:
        return set()
    from services.models import Offering

    wanted = set(
        SlaPolicy.objects.filter(deemed_approval=True).values_list("offering_id", flat=True)
    )
    if not wanted:
        return wanted
    adminduk_versions = _adminduk_version_ids(
        Offering.objects.filter(pk__in=wanted).values_list("service_version_id", flat=True)
    )
    return set(
        Offering.objects.filter(pk__in=wanted)
        .exclude(service_version_id__in=adminduk_versions).values_list("pk", flat=True)
    ) if adminduk_versions else wanted


def _adminduk_version_ids(version_ids: Any) -> set[int]:
    """The catalogue versions (public schema) whose category forbids deemed approval."""
    from catalog.models import DEEMED_APPROVAL_FORBIDDEN_CATEGORIES, ServiceVersion

    return set(
        ServiceVersion.objects.filter(
            pk__in=list(version_ids),
            service__category__code__in=DEEMED_APPROVAL_FORBIDDEN_CATEGORIES,
        )
        .values_list("pk", flat=True)
    )


def _breach_batch(
    *, now: datetime, limit: int, recipients: _Recipients, deemed: set[int], tenant_name: str,
    counts: SweepCounts,
) -> int:
    from .models import ApplicationEvent, EventKind

    with transaction.atomic():
        rows = _transition_batch(to_state="breached", now=now, limit=limit)
        pending: list[Any] = []
        events = []
        deemed_rows = []
        for row in rows:
            key = f"due:{_key_time(row['due_at'])}"
            events.append(ApplicationEvent(
                application_id=row["id"], kind=EventKind.SLA_BREACHED,
                from_status=row["status"], to_status=row["status"],
                note="Batas waktu layanan terlewati.", data=_evidence(row, now=now),
                dedup_key=key,
            ))
            if (
                row["offering_id"] in deemed and row["clock_started_at"] is not None
                and row["status"] in OPEN_STATUSES and row["status"] != "returned"
            ):
                deemed_rows.append(row)
        _insert_events(events)
        for row in rows:
            key = f"sla_breached:{row['id']}:{_key_time(row['due_at'])}"
            pending += _notify(
                application_id=row["id"], recipients=recipients.heads(row["agency_id"]),
                kind="sla_breached", dedup_key=key,
                context=_message("sla_breached", row, tenant_name),
            )
        if deemed_rows:
            _deem_approved(deemed_rows, now=now, tenant_name=tenant_name, counts=counts)
        _breach_side_effects(events)
        counts.notifications += _send(pending)
        counts.breached += len(rows)
    return len(rows)


def _breach_side_effects(events: list[Any]) -> None:
    """Per breach: an automatic complaint when the tenant enabled it, and the `sla.breached`
    webhook. Both are idempotent; webhooks are delivered on commit."""
    if not events:
        return
    from .hooks import application_events_recorded, application_sla_breached_many
    from .models import ApplicationEvent, EventKind

    stored = list(ApplicationEvent.objects.filter(
        kind=EventKind.SLA_BREACHED,
        application_id__in=[event.application_id for event in events],
        dedup_key__in={event.dedup_key for event in events},
    ).order_by("pk").values_list("pk", "application_id"))
    application_sla_breached_many(application_ids=[app_id for _pk, app_id in stored])
    application_events_recorded(event_ids=[pk for pk, _app_id in stored])


def _deem_approved(
    rows: list[dict[str, Any]], *, now: datetime, tenant_name: str, counts: SweepCounts
) -> None:
    """Record deemed approval (same transaction as the breach) through the applications
    service layer — the one writer of application status — plus a notice to the applicant."""
    from .services import DeemedApproval, applications_deem_approved

    note = (
        "Permohonan dianggap dikabulkan secara hukum karena tidak diputuskan dalam batas "
        f"waktu ({LEGAL_BASIS_DEEMED})."
    )
    changed = set(applications_deem_approved(decisions=[
        DeemedApproval(
            application_id=row["id"],
            data={
                **_evidence(row, now=now), "legal_basis": LEGAL_BASIS_DEEMED,
                "deemed_effective_at": _iso(row["due_at"]), "recorded_at": now.isoformat(),
                "offering_id": row["offering_id"], "service_code": row["service_code"],
            },
            dedup_key=f"due:{_key_time(row['due_at'])}",
        )
        for row in rows
    ], now=now, note=note))
    pending: list[Any] = []
    for row in rows:
        if row["id"] not in changed:
            continue
        pending += _notify(
            application_id=row["id"], recipients=[row["applicant_id"]], kind="deemed_approved",
            dedup_key=f"deemed_approved:{row['id']}",
            context=_message("deemed_approved", row, tenant_name),
        )
    counts.notifications += _send(pending)
    counts.deemed_approved += len(changed)


def _at_risk_batch(*, now: datetime, limit: int, tenant_name: str, counts: SweepCounts) -> int:
    from .models import ApplicationEvent, EventKind

    with transaction.atomic():
        rows = _transition_batch(to_state="at_risk", now=now, limit=limit)
        pending: list[Any] = []
        _insert_events([
            ApplicationEvent(
                application_id=row["id"], kind=EventKind.SLA_AT_RISK,
                from_status=row["status"], to_status=row["status"],
                note="Permohonan berisiko melewati batas waktu.", data=_evidence(row, now=now),
                dedup_key=f"due:{_key_time(row['due_at'])}",
            )
            for row in rows
        ])
        for row in rows:
            if row["assigned_to_id"]:
                pending += _notify(
                    application_id=row["id"], recipients=[row["assigned_to_id"]],
                    kind="sla_at_risk",
                    dedup_key=f"sla_at_risk:{row['id']}:{_key_time(row['due_at'])}",
                    context=_message("sla_at_risk", row, tenant_name),
                )
        counts.notifications += _send(pending)
        counts.at_risk += len(rows)
    return len(rows)


def _step_breach_batch(
    *, now: datetime, limit: int, recipients: _Recipients, tenant_name: str,
    counts: SweepCounts,
) -> int:
    """Steps past their own deadline (issue 13): marked and attributed by the applications
    service layer (`applications.steps.steps_mark_breached`, the owner of step rows); the
    head of the OPD that holds the step and the step's officer are told, and the
    `sla.breached` webhook goes out with the step. One transaction per batch."""
    from .hooks import application_events_recorded
    from .models import ApplicationEvent, EventKind
    from .steps import steps_mark_breached

    with transaction.atomic():
        rows = steps_mark_breached(now=now, limit=limit)
        pending: list[Any] = []
        for row in rows:
            code = row["tracking_code"] or f"#{row['application_id']}"
            due = timezone.localtime(row["due_at"]).strftime("%d-%m-%Y %H:%M")
            context = {
                "subject": f"Langkah \"{row['step_name']}\" permohonan {code} terlambat",
                "body": (
                    f"Permohonan {code} ({row['service_code']}) di {tenant_name} melewati batas "
                    f"waktu langkah \"{row['step_name']}\" ({due}) di OPD Anda. Mohon segera "
                    "diproses atau diteruskan."
                ),
                "tracking_code": code, "tenant_name": tenant_name,
            }
            wanted = [*recipients.heads(row["agency_id"]), row["assignee_id"]]
            pending += _notify(
                application_id=row["application_id"],
                recipients=sorted({r for r in wanted if r}), kind="step_breached",
                dedup_key=f"step_breached:{row['step_id']}:{_key_time(row['due_at'])}",
                context=context,
            )
        if rows:
            application_events_recorded(event_ids=list(ApplicationEvent.objects.filter(
                kind=EventKind.STEP_BREACHED,
                application_id__in=[row["application_id"] for row in rows],
                data__step_id__in=[row["step_id"] for row in rows],
            ).order_by("pk").values_list("pk", flat=True)))
        counts.notifications += _send(pending)
        counts.steps_breached += len(rows)
    return len(rows)


def _escalation_candidates(*, now: datetime, days: int, limit: int) -> list[dict[str, Any]]:
    """Open breached applications without an escalation event for their current due date,
    whose due date is at least `days` calendar days old (a cheap necessary condition: N
    working days always span at least N calendar days)."""
    from .models import ApplicationEvent

    events = connection.ops.quote_name(ApplicationEvent._meta.db_table)
    sql = f"""
        SELECT a.id, a.tracking_code, a.status, a.agency_id, a.assigned_to_id, a.applicant_id,
               a.offering_id, a.service_code, a.due_at, a.at_risk_at, a.sla_reasons,
               a.calendar_version, a.clock_started_at, a.submitted_at, a.sla_state
        FROM {_table()} a
        WHERE a.sla_state = 'breached' AND a.status = ANY(%(open)s)
          AND a.due_at <= %(cutoff)s
          AND NOT EXISTS (
              SELECT 1 FROM {events} e
              WHERE e.application_id = a.id AND e.kind = %(kind)s
                AND e.dedup_key = 'due:' || to_char(a.due_at AT TIME ZONE 'UTC',
                                                    'YYYYMMDD"T"HH24MISS"Z"'))
        ORDER BY a.due_at
        LIMIT %(limit)s
    """  # noqa: S608 -- identifiers from model metadata; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "open": list(OPEN_STATUSES), "cutoff": now - timedelta(days=days),
            "kind": ESCALATE_KIND, "limit": limit,
        })
        return _rows(cursor.fetchall())


def _escalation_due(due: datetime, days: int, calendar: Any) -> datetime | None:
    """Close of business of the `days`-th working day after the day of the breach."""
    from sla.engine import Target, compute_due

    return compute_due(due, Target.working_days(days), calendar).due


def _escalate(
    *, now: datetime, limit: int, recipients: _Recipients, tenant_name: str,
    counts: SweepCounts,
) -> None:
    from .models import ApplicationEvent

    days = escalate_after_working_days()
    if days <= 0:
        return
    candidates = _escalation_candidates(now=now, days=days, limit=limit)
    if not candidates:
        return
    from sla.selectors import calendar_current, engine_calendar

    calendar = engine_calendar(calendar_current())
    ready = [
        row for row in candidates
        if (when := _escalation_due(row["due_at"], days, calendar)) is not None and when <= now
    ]
    admins = recipients.admins()
    with transaction.atomic():
        pending: list[Any] = []
        _insert_events([
            ApplicationEvent(
                application_id=row["id"], kind=ESCALATE_KIND,
                from_status=row["status"], to_status=row["status"],
                note=f"Eskalasi ke admin tenant: terlambat lebih dari {days} hari kerja.",
                data={**_evidence(row, now=now), "working_days": days,
                      "notified": admins},
                dedup_key=f"due:{_key_time(row['due_at'])}",
            )
            for row in ready
        ])
        for row in ready:
            pending += _notify(
                application_id=row["id"], recipients=admins, kind=ESCALATE_KIND,
                dedup_key=f"{ESCALATE_KIND}:{row['id']}:{_key_time(row['due_at'])}",
                context=_message(ESCALATE_KIND, row, tenant_name),
            )
        counts.notifications += _send(pending)
        counts.escalated += len(ready)


def sweep_tenant(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepCounts:
    """One sweep of the current tenant schema. Idempotent; safe to kill and re-run."""
    now = now or timezone.now()
    tenant = getattr(connection, "tenant", None)
    tenant_name = getattr(tenant, "name", "") or connection.schema_name
    counts = SweepCounts()
    recipients = _Recipients()
    deemed = _deemed_offering_ids()
    while _breach_batch(
        now=now, limit=batch_size, recipients=recipients, deemed=deemed,
        tenant_name=tenant_name, counts=counts,
    ) == batch_size:
        pass
    while _at_risk_batch(
        now=now, limit=batch_size, tenant_name=tenant_name, counts=counts
    ) == batch_size:
        pass
    while _step_breach_batch(
        now=now, limit=batch_size, recipients=recipients, tenant_name=tenant_name,
        counts=counts,
    ) == batch_size:
        pass
    _escalate(
        now=now, limit=batch_size * 4, recipients=recipients, tenant_name=tenant_name,
        counts=counts,
    )
    return counts
