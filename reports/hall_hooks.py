"""Subscribed to `hall.hooks`: a booking moved off a rolled-up day re-rolls that day's queue
figures (docs/adr/0015)."""

from __future__ import annotations

from datetime import date


def on_ticket_day_changed(*, ticket_id: int, old_day: date, new_day: date) -> None:
    from django.db import connection

    from .services import local_today, queue_day_moved

    tz = getattr(getattr(connection, "tenant", None), "timezone", "") or "Asia/Jakarta"
    if old_day < local_today(tz):
        queue_day_moved(day=old_day, tz=tz)
