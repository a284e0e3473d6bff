"""The SLA clock of an application, computed by the sla app (`sla.selectors.due_for`).

The clock starts when staff accept the application as complete, pauses while it is returned
to the applicant and stops on the decision. Pauses are kept on the application
(`sla_pauses`) so a deadline can always be recomputed from the start instant, the stored
calendar version and the closed pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.dateparse import parse_datetime

from .models import SlaState

if TYPE_CHECKING:
    from .models import Application


@dataclass(frozen=True)
class Deadline:
    due: datetime | None
    at_risk: datetime | None
    reasons: list[str]
    calendar_version_id: int | None


def _due_for():  # type: ignore[no-untyped-def]
    try:
        from sla.selectors import due_for
    except ImportError:  # pragma: no cover - older layout of the sla app
        from sla.services import due_for  # type: ignore[attr-defined,no-redef]
    return due_for


def _calendar_version(version_id: int | None) -> Any:
    if version_id is None:
        return None
    from sla.models import CalendarVersion

    return CalendarVersion.objects.filter(pk=version_id).first()


def closed_pauses(application: Application) -> list[tuple[datetime, datetime, str]]:
    pauses = []
    for item in application.sla_pauses or []:
        start, end = parse_datetime(item.get("start") or ""), parse_datetime(item.get("end") or "")
        if start and end:
            pauses.append((start, end, item.get("reason") or ""))
    return pauses


def deadline_for(
    application: Application, *, use_current_calendar: bool = False
) -> Deadline:
    """Deadline of a started clock, with its closed pauses (no open pause)."""
    assert application.clock_started_at is not None
    version = None if use_current_calendar else _calendar_version(application.calendar_version)
    info = _due_for()(
        offering=application.offering, start=application.clock_started_at,
        pauses=closed_pauses(application), calendar_version=version,
    )
    return Deadline(
        due=info.due, at_risk=info.at_risk, reasons=list(info.reasons),
        calendar_version_id=info.calendar_version_id,
    )


def apply_deadline(application: Application, deadline: Deadline, *, now: datetime) -> None:
    application.due_at = deadline.due
    application.at_risk_at = deadline.at_risk
    application.sla_reasons = deadline.reasons
    application.calendar_version = deadline.calendar_version_id
    # Always (re)enter the sweep's index as on_track: the sweep then flips it to at_risk or
    # breached and writes exactly one event and the notifications for that deadline. Setting
    # at_risk/breached here would skip those events (the sweep only scans on_track/at_risk).
    application.sla_state = SlaState.ON_TRACK


def clock_start(application: Application, *, now: datetime) -> None:
    application.clock_started_at = now
    application.sla_pauses = []
    application.paused_at = None
    apply_deadline(application, deadline_for(application, use_current_calendar=True), now=now)


def clock_pause(application: Application, *, now: datetime, reason: str) -> None:
    if application.clock_started_at is None or application.paused_at is not None:
        return
    if application.sla_state not in {SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED}:
        return
    application.paused_at = now
    application.sla_pauses = [
        *(application.sla_pauses or []), {"start": now.isoformat(), "end": None, "reason": reason}
    ]
    application.sla_state = SlaState.PAUSED
    application.due_at = None
    application.at_risk_at = None


def clock_resume(application: Application, *, now: datetime) -> Deadline | None:
    if application.paused_at is None:
        return None
    pauses = list(application.sla_pauses or [])
    if pauses and pauses[-1].get("end") is None:
        pauses[-1] = {**pauses[-1], "end": now.isoformat()}
    application.sla_pauses = pauses
    application.paused_at = None
    deadline = deadline_for(application)
    apply_deadline(application, deadline, now=now)
    return deadline


def clock_stop(application: Application, *, now: datetime) -> None:
    if application.clock_started_at is None:
        return
    if application.due_at is None:
        application.sla_state = SlaState.MET
    else:
        application.sla_state = SlaState.MET if now <= application.due_at else SlaState.MISSED
