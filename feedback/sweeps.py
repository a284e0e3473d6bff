"""Catch-up of SKM invitations for completed applications (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import SkmResponse


def skm_invite_completed_sweep(*, days: int = 7, limit: int = 500) -> int:
    """Invite applications completed in the last ``days`` days that have no invitation yet
    (e.g. the applications app did not call the hook). Returns the number invited."""
    try:
        from applications.models import Application
    except ImportError:  # pragma: no cover
        return 0
    from .hooks import skm_invite_for_application

    since = timezone.now() - timedelta(days=days)
    invited_ids = SkmResponse.objects.filter(source="application").values("source_id")
    ids = list(
        Application.objects.filter(status="completed", completed_at__gte=since)
        .exclude(pk__in=invited_ids)
        .order_by("completed_at")
        .values_list("pk", flat=True)[:limit]
    )
    for application_id in ids:
        skm_invite_for_application(application_id=application_id)
    return len(ids)
