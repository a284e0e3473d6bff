from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("signing/_status.html", takes_context=True)
def signature_status(context: Any, application: Any) -> dict[str, Any]:
    """The output's electronic signature state on the staff page (with a retry button)."""
    from signing.selectors import signature_job_for

    job = signature_job_for(application_id=application.pk) if application.output_file else None
    return {"job": job, "application": application, "csrf_token": context.get("csrf_token")}
