"""Entry points for other apps (no signals: they call these explicitly, inside their own
transaction; the webhooks go out after commit).

* :func:`on_application_event` - after writing an ``ApplicationEvent`` of kind
  ``transition`` (→ ``application.submitted`` or ``application.status_changed``) or
  ``sla_breached`` or ``step_breached`` (→ ``sla.breached``, with ``scope`` "service" or
  "step" and the step). Call it from
  ``applications.statemachine.application_transition`` and the SLA sweep.
* :func:`on_complaint_filed` - after ``feedback.services.complaint_create``
  (→ ``complaint.filed``).

Both are idempotent (one delivery per endpoint per source row), so a caller and
integrations itself may both announce the same event. The payloads carry no personal data:
tracking codes, statuses, service and OPD codes, timestamps.
"""

from __future__ import annotations

from typing import Any

from .conf import (
    EVENT_APPLICATION_STATUS_CHANGED,
    EVENT_APPLICATION_SUBMITTED,
    EVENT_COMPLAINT_FILED,
    EVENT_SLA_BREACHED,
)
from .services import webhook_emit


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def application_payload(application: Any) -> dict[str, Any]:
    return {
        "tracking_code": application.tracking_code,
        "service_code": application.service_code,
        "agency_code": application.agency.code,
        "status": application.status,
        "submitted_at": _iso(application.submitted_at),
        "due_at": _iso(application.due_at),
        "sla_state": application.sla_state,
        "step": application.current_step,  # the workflow step holding the file (issue 13)
    }


def _has_endpoints() -> bool:
    from .models import WebhookEndpoint

    # most tenants have no webhooks: one cheap query instead of loading the event
    return WebhookEndpoint.objects.filter(is_active=True).exists()


def on_application_event(*, event_id: int) -> None:
    if _has_endpoints():
        _emit_events([event_id])


def on_application_events(*, event_ids: list[int]) -> None:
    """Batch form (the SLA sweep): one endpoint check and one load for all the events."""
    if event_ids and _has_endpoints():
        _emit_events(event_ids)


def _emit_events(event_ids: list[int]) -> None:
    from applications.models import ApplicationEvent

    for event in (
        ApplicationEvent.objects.select_related("application__agency")
        .filter(pk__in=event_ids).order_by("pk")
    ):
        _emit_event(event)


def _emit_event(event: Any) -> None:
    from applications.models import ApplicationEvent

    application = event.application
    data = application_payload(application)
    agency_id = application.agency_id
    if event.kind in {ApplicationEvent.Kind.TRANSITION, ApplicationEvent.Kind.DEEMED_APPROVED}:
        if event.to_status == "submitted":
            event_type = EVENT_APPLICATION_SUBMITTED
        else:
            event_type = EVENT_APPLICATION_STATUS_CHANGED
        action = (event.data or {}).get("action", "")
        if event.kind == ApplicationEvent.Kind.DEEMED_APPROVED:
            action = "deemed_approval"  # by law, recorded by the SLA sweep
        data.update({"from_status": event.from_status, "to_status": event.to_status,
                     "action": action, "occurred_at": _iso(event.created_at)})
    elif event.kind == ApplicationEvent.Kind.SLA_BREACHED:
        event_type = EVENT_SLA_BREACHED
        data.update({"breached_at": _iso(event.created_at), "scope": "service"})
    elif event.kind == ApplicationEvent.Kind.STEP_BREACHED:
        # a step's own deadline passed: the OPD that held the file is told, with the step
        event_type = EVENT_SLA_BREACHED
        step = event.data or {}
        agency_id = step.get("agency_id") or application.agency_id
        data.update({"breached_at": _iso(event.created_at), "scope": "step",
                     "step": step.get("step"), "step_due_at": step.get("due_at"),
                     "step_agency_kind": step.get("agency_kind")})
    else:
        return
    webhook_emit(event_type, data, agency_id=agency_id,
                 dedup_key=f"appevent:{event.pk}")


def on_complaint_filed(*, complaint_id: int) -> None:
    from feedback.models import Complaint

    complaint = (
        Complaint.objects.select_related("offering", "agency").filter(pk=complaint_id).first()
    )
    if complaint is None:
        return
    agency_id = complaint.agency_id
    data = {  # no complainant identity: the complaint may be confidential (UU 25/2009 Ps. 40)
        "tracking_code": complaint.tracking_code,
        "origin": complaint.origin,
        "subject": complaint.subject,
        "status": complaint.status,
        "service_code": getattr(complaint.offering, "service_code", None),
        "agency_code": getattr(complaint.agency, "code", None),
        "filed_at": _iso(getattr(complaint, "created_at", None)),
    }
    webhook_emit(EVENT_COMPLAINT_FILED, data, agency_id=agency_id,
                 dedup_key=f"complaint:{complaint.pk}")
