"""Bulk seeding helper of the applications app for the simulated demo activity (core.demo).

The demo needs months of history in seconds, so the rows are inserted in bulk instead of
being walked through the status machine one click at a time. This module is the only writer:
it fills the same fields the machine and the SLA clock would (tracking code, clock start,
deadline from `sla.selectors.due_for`, SLA state, decision and completion instants) and writes
one timeline event per transition, with the historical instants. Callers describe what
happened (`DemoApplication`); they never write application rows themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from .models import Application, ApplicationEvent, EventKind, SlaState, Status
from .tracking import tracking_prefix

DEMO_KEY_PREFIX = "demo-sim-"
CLOSED_OR_DECIDED = {Status.APPROVED, Status.REJECTED, Status.COMPLETED}


@dataclass
class DemoApplication:
    """One simulated application: the offering, the applicant and its path through the
    status machine as (status reached, instant) pairs after the draft, oldest first."""

    offering: Any
    applicant_id: int
    path: Sequence[tuple[str, datetime]]
    form_data: dict[str, Any] = field(default_factory=dict)
    lookup_digits: list[str] = field(default_factory=list)
    note: str = ""


def applications_demo_seeded() -> bool:
    """True once this schema holds simulated applications (the seeding runs once)."""
    return Application.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).exists()


def _sla_fields(item: DemoApplication, *, now: datetime) -> dict[str, Any]:
    """Clock start, pauses, deadline and SLA state as the clock would have stored them."""
    from sla.selectors import due_for

    started = pause_start = None
    pauses: list[tuple[datetime, datetime, str]] = []
    decided = None
    status = Status.DRAFT
    for status, at in item.path:
        if status == Status.IN_PROCESS and started is None:
            started = at
        elif status == Status.RETURNED and started is not None:
            pause_start = at
        elif status == Status.RESUBMITTED and pause_start is not None:
            pauses.append((pause_start, at, "menunggu perbaikan dari pemohon"))
            pause_start = None
        if status in CLOSED_OR_DECIDED and decided is None:
            decided = at
    values: dict[str, Any] = {"sla_state": SlaState.NOT_STARTED, "decided_at": decided}
    if started is None:
        return values
    info = due_for(offering=item.offering, start=started, pauses=pauses)
    values.update(
        clock_started_at=started, due_at=info.due, at_risk_at=info.at_risk,
        sla_reasons=list(info.reasons), calendar_version=info.calendar_version_id,
        sla_pauses=[
            {"start": s.isoformat(), "end": e.isoformat(), "reason": r} for s, e, r in pauses
        ],
    )
    if pause_start is not None:
        values["paused_at"] = pause_start
        values["sla_pauses"].append({"start": pause_start.isoformat(), "end": None,
                                     "reason": "menunggu perbaikan dari pemohon"})
        values["sla_state"] = SlaState.PAUSED
    elif decided is not None:
        late = info.due is not None and decided > info.due
        values["sla_state"] = SlaState.MISSED if late else SlaState.MET
    elif status == Status.CANCELLED:
        values["sla_state"] = SlaState.NOT_STARTED
    elif info.due is not None and info.due <= now:
        values["sla_state"] = SlaState.BREACHED
    elif info.at_risk is not None and info.at_risk <= now:
        values["sla_state"] = SlaState.AT_RISK
    else:
        values["sla_state"] = SlaState.ON_TRACK
    return values


def _sequences(prefixes: set[str]) -> dict[str, int]:
    """The highest number already used per tracking-code prefix (one query)."""
    if not prefixes:
        return {}
    query = Q()
    for prefix in prefixes:
        query |= Q(tracking_code__startswith=prefix)
    last: dict[str, int] = defaultdict(int)
    for code in Application.objects.filter(query).values_list("tracking_code", flat=True):
        prefix, _sep, number = code.rpartition("-")
        if number.isdigit():
            last[f"{prefix}-"] = max(last[f"{prefix}-"], int(number))
    return last


@transaction.atomic
def applications_demo_bulk(*, items: Sequence[DemoApplication], now: datetime) -> list[int]:
    """Insert the simulated applications and their timelines; returns the new ids in the
    order of `items`. Idempotency keys `demo-sim-<n>` mark them (see `applications_demo_seeded`)."""
    tenant = connection.tenant
    tz = getattr(tenant, "timezone", "") or "Asia/Jakarta"
    rows: list[Application] = []
    prefixes: list[str] = []
    for item in items:
        submitted = item.path[0][1] if item.path else None
        prefixes.append(
            tracking_prefix(region_code=tenant.region_code, service_code=item.offering.service_code,
                            when=submitted, tz=tz) if submitted else ""
        )
    numbers = _sequences({p for p in prefixes if p})
    for index, (item, prefix) in enumerate(zip(items, prefixes, strict=True)):
        status = item.path[-1][0] if item.path else Status.DRAFT
        code = None
        if prefix:
            numbers[prefix] = numbers.get(prefix, 0) + 1
            code = f"{prefix}{numbers[prefix]:04d}"
        sla = _sla_fields(item, now=now)
        completed = next((at for s, at in item.path if s == Status.COMPLETED), None)
        rows.append(Application(
            offering=item.offering, service_code=item.offering.service_code,
            service_version_id=item.offering.service_version_id,
            agency_id=item.offering.agency_id, applicant_id=item.applicant_id,
            status=status, tracking_code=code,
            submitted_at=item.path[0][1] if item.path else None, completed_at=completed,
            form_data=item.form_data, lookup_digits=item.lookup_digits,
            idempotency_key=f"{DEMO_KEY_PREFIX}{index}",
            revision_message=item.note if status == Status.RETURNED else "",
            decision_note=item.note if status == Status.REJECTED else "",
            **sla,
        ))
    created = Application.objects.bulk_create(rows, batch_size=500)
    events: list[ApplicationEvent] = []
    instants: list[datetime] = []
    for application, item in zip(created, items, strict=True):
        previous = Status.DRAFT
        for status, at in item.path:
            events.append(ApplicationEvent(
                application_id=application.pk, kind=EventKind.TRANSITION,
                from_status=previous, to_status=status,
                actor_id=item.applicant_id if status in {
                    Status.SUBMITTED, Status.RESUBMITTED, Status.CANCELLED
                } else None,
                note=item.note if status in {Status.RETURNED, Status.REJECTED} else "",
            ))
            instants.append(at)
            previous = status
        if application.sla_state in {SlaState.BREACHED, SlaState.MISSED} and application.due_at:
            events.append(ApplicationEvent(
                application_id=application.pk, kind=EventKind.SLA_BREACHED,
                dedup_key=f"due:{application.due_at.astimezone(UTC):%Y%m%dT%H%M%SZ}",
                data={"due_at": application.due_at.isoformat()},
            ))
            instants.append(application.due_at)
    new_events = ApplicationEvent.objects.bulk_create(events, batch_size=1000)
    # created_at is auto_now_add: put the historical instants back in two statements.
    _backdate(Application._meta.db_table, [a.pk for a in created],
              [a.submitted_at or now for a in created])
    _backdate(ApplicationEvent._meta.db_table, [e.pk for e in new_events], instants)
    return [a.pk for a in created]


def _backdate(table: str, ids: list[int], instants: list[datetime]) -> None:
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} t SET created_at = v.at "  # noqa: S608 -- model metadata
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE t.id = v.id",
            [ids, instants],
        )
