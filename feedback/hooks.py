"""Entry points for other apps (no signals: they call these functions explicitly).

* :func:`skm_invite_for_application` - call it when an application becomes ``completed``
  (inside the same transaction is fine): creates the application's single SKM invitation
  and queues the notification with the signed, single-use link. Idempotent.
* :func:`complaint_open_for_breach` - re-exported from ``feedback.services`` for the SLA
  sweep: opens one automatic complaint per breached application when the tenant enabled it.

``feedback.tasks.skm_invite_completed_sweep`` (beat, hourly) also invites completed
applications that were missed, so the hook is an optimisation, not a requirement.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import SkmResponse
from .services import complaint_open_for_breach, skm_invite, skm_token

__all__ = ["complaint_open_for_breach", "skm_invite_for_application", "skm_link"]

logger = logging.getLogger(__name__)


def skm_link(response: SkmResponse) -> str:
    """Absolute link of the questionnaire on the current tenant's host."""
    from core.context_processors import tenant_url

    path = reverse("feedback:skm", kwargs={"token": skm_token(response)})
    tenant = getattr(connection, "tenant", None)
    slug = getattr(tenant, "slug", "")
    return tenant_url(slug, path) if slug else path


def skm_invite_for_application(*, application_id: int) -> SkmResponse | None:
    """Invite the applicant of a completed application to the SKM (once)."""
    try:
        from applications.models import Application
    except ImportError:  # pragma: no cover
        return None
    application = (
        Application.objects.select_related("offering__service_version")
        .filter(pk=application_id, status="completed")
        .first()
    )
    if application is None:
        return None
    existed = SkmResponse.objects.filter(source="application", source_id=application.pk).exists()
    response = skm_invite(
        source="application", source_id=application.pk,
        reference=application.tracking_code or "", channel="online",
        offering_id=application.offering_id, service_code=application.service_code,
        agency_id=application.agency_id, officer_id=application.assigned_to_id,
        citizen_id=application.applicant_id,
    )
    if existed:
        return response
    try:
        from applications.notifications import notification_enqueue
    except ImportError:  # pragma: no cover
        logger.warning("applications.notifications missing: SKM invitation not sent")
        return response
    tenant = getattr(connection, "tenant", None)
    url = skm_link(response)
    service = application.offering.service_version.name
    notification_enqueue(
        application=application, recipient_id=application.applicant_id, kind="skm_invitation",
        dedup_key=f"skm:{application.pk}",
        context={
            "tracking_code": application.tracking_code, "url": url,
            "tenant_name": getattr(tenant, "name", ""),
            "subject": _("Bagaimana layanan kami? Isi Survei Kepuasan Masyarakat"),
            "body": _(
                "Permohonan %(service)s Anda (%(code)s) telah selesai. Mohon luangkan 2 menit "
                "untuk mengisi Survei Kepuasan Masyarakat (9 pertanyaan, sekali saja): %(url)s"
            ) % {"service": service, "code": application.tracking_code, "url": url},
        },
    )
    return response
