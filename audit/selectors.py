"""Read the audit log: one tenant's rows (tenant admins) or everything (the ministry)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent

_USER_LABEL = re.compile(r"^(?:user:)?(\d{1,18})$")


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 9000 else None


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tenant: str = ""  # a schema name; "-" = the platform's own rows (ministry only)

    @classmethod
    def from_query(cls, params: Any) -> AuditFilters:
        return cls(
            action=params.get("action", "").strip()[:64],
            actor=params.get("actor", "").strip()[:100],
            date_from=_day(params.get("from", "")),
            date_to=_day(params.get("to", "")),
            tenant=params.get("tenant", "").strip()[:63],
        )

    def as_query(self, *, with_tenant: bool) -> dict[str, str]:
        params = {
            "action": self.action, "actor": self.actor,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "tenant": self.tenant if with_tenant else "",
        }
        return {k: v for k, v in params.items() if v}


def _actor_filter(text: str) -> Q:
    match = _USER_LABEL.match(text)
    if match:
        return Q(actor_id=int(match.group(1)))
    return (
        Q(actor_label__icontains=text) | Q(actor__email__iexact=text)
        | Q(actor__full_name__icontains=text)
    )


def audit_events(*, filters: AuditFilters, tenant_schema: str | None) -> QuerySet[AuditEvent]:
    """Newest first. `tenant_schema` confines the rows to one tenant (a tenant admin's view,
    where `filters.tenant` is ignored); None means every tenant and the platform."""
    events = AuditEvent.objects.select_related("actor").order_by("-at", "-id")
    if tenant_schema is not None:
        events = events.filter(tenant_schema=tenant_schema)
    elif filters.tenant:
        events = events.filter(tenant_schema="" if filters.tenant == "-" else filters.tenant)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.actor:
        events = events.filter(_actor_filter(filters.actor))
    # Whole days in the active time zone, as instants (so the `-at` indexes serve them).
    if filters.date_from:
        events = events.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return events


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def change_lines(event: AuditEvent) -> list[str]:
    """`field: old → new` (or `field: value`) for display."""
    lines = []
    for key, value in (event.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{key}: {_text(value[0])} → {_text(value[1])}")
        else:
            lines.append(f"{key}: {_text(value)}")
    return lines


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)[:120]
