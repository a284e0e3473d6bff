"""Template tags other apps' pages use without importing feedback (e.g. the SKM link on a
completed application: `{% load feedback_tags %}{% skm_invitation application %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from ..hooks import skm_link
from ..models import SkmResponse

register = template.Library()


@register.inclusion_tag("feedback/_skm_invitation.html")
def skm_invitation(application: Any) -> dict[str, Any]:
    """The citizen's own SKM questionnaire for a completed application: a link while it is
    unanswered, a thank-you once answered; nothing for other statuses."""
    if getattr(application, "status", "") != "completed":
        return {"response": None}
    response = SkmResponse.objects.filter(
        source=SkmResponse.Source.APPLICATION, source_id=application.pk,
        citizen_id=application.applicant_id,
    ).first()
    if response is None:
        return {"response": None}
    return {"response": response, "link": "" if response.submitted_at else skm_link(response)}
