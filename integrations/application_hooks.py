"""Subscribed to `applications.hooks`: every recorded application event may go out as a
webhook (`integrations.hooks.on_application_event`)."""

from __future__ import annotations


def on_application_event(*, event_id: int) -> None:
    from .hooks import on_application_event as emit

    emit(event_id=event_id)


def on_application_events(*, event_ids: list[int]) -> None:
    """The sweep's batch: one query answers "does this tenant have webhooks?" for all."""
    from .hooks import on_application_events as emit

    emit(event_ids=event_ids)
