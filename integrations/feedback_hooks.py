"""Subscribed to `feedback.events`: a filed complaint goes out as a webhook
(`integrations.hooks.on_complaint_filed`, delivered on commit)."""

from __future__ import annotations


def on_complaint_filed(*, complaint_id: int) -> None:
    from .hooks import on_complaint_filed as emit

    emit(complaint_id=complaint_id)
