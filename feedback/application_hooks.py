"""Subscribed to `applications.hooks`: the SKM invitation when an application is completed,
and the automatic complaint when its deadline passes (if the tenant enabled it)."""

from __future__ import annotations


def on_application_completed(*, application_id: int) -> None:
    from .hooks import skm_invite_for_application

    skm_invite_for_application(application_id=application_id)  # once per application


def on_sla_breached(*, application_id: int) -> None:
    from .services import complaint_open_for_breach

    complaint_open_for_breach(application_id)


def on_sla_breached_many(*, application_ids: list[int]) -> None:
    """The sweep's batch: the tenant's setting is read once (off: nothing else happens)."""
    from .services import complaint_open_for_breach, feedback_settings

    if not feedback_settings().auto_complaint_on_breach:
        return
    for application_id in application_ids:
        complaint_open_for_breach(application_id)
