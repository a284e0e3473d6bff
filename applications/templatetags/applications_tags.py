from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASS = {
    "approved": "badge-ok", "completed": "badge-ok", "returned": "badge-warn",
    "rejected": "badge-err", "cancelled": "badge-err",
}
SLA_CLASS = {
    "on_track": "badge-ok", "met": "badge-ok", "at_risk": "badge-warn", "paused": "badge-warn",
    "breached": "badge-err", "missed": "badge-err",
}


@register.simple_tag
def status_badge(application) -> str:
    from applications.models import Status

    css = STATUS_CLASS.get(application.status, "")
    return format_html('<span class="badge {}">{}</span>', css,
                       _label(Status, application.status))


@register.simple_tag
def sla_badge(application) -> str:
    from applications.models import SlaState

    css = SLA_CLASS.get(application.sla_state, "")
    return format_html('<span class="badge {}">{}</span>', css,
                       _label(SlaState, application.sla_state))


def _label(choices, value: str) -> str:
    """The label of one choice. (`get_FOO_display()` hashes and translates every choice of
    the field on each call: 100 badges on a worklist page were ~850 gettext calls.)"""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


@register.filter
def status_label(value: str) -> str:
    from applications.models import Status

    try:
        return Status(value).label
    except ValueError:
        return value or "—"


@register.filter
def instant(value: object) -> object:
    """An ISO 8601 instant stored as text (event data) as an aware datetime, so `|date`
    shows it in the tenant's time zone; anything else is returned as is."""
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        return timezone.localtime(moment)
    return value
