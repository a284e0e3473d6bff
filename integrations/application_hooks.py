"""Subscribed to `applications.hooks`: every recorded application event may go out as a
webhook (`integrations.hooks.on_application_event`)."""

from __future__ import annotations


def on_application_event(*, event_id: int) -> None:
    from .hooks import on_application_event as emit

    emit(event_id=event_id)
