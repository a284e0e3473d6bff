"""What other apps hear about the hall, through discovered hooks (core.discovery).

An app that reacts to the hall provides a module ``<app>.hall_hooks`` with any of:

* ``on_ticket_finished(*, ticket_id, counter_id) -> str | None`` — a counter finished serving
  a ticket, inside the same transaction; feedback invites the citizen to the SKM survey and
  returns the signed link token the counter shows as a QR code (None: nothing to show).
* ``on_ticket_day_changed(*, ticket_id, old_day, new_day) -> None`` — a booking moved to
  another day, inside the same transaction; reports re-rolls the old day's queue figures if
  it was rolled up (the moved ticket left it, which its ``updated_at`` cannot tell).

So `hall` imports none of its subscribers (`feedback`): the import-linter contract "The domain
apps are layered" holds it.
"""

from __future__ import annotations

from datetime import date

from core.discovery import collect

MODULE = "hall_hooks"


def ticket_finished(*, ticket_id: int, counter_id: int) -> str:
    """The first link token a subscriber returns ("" when none does)."""
    token = ""
    for hook in collect(MODULE, "on_ticket_finished"):
        token = hook(ticket_id=ticket_id, counter_id=counter_id) or token
    return token


def ticket_day_changed(*, ticket_id: int, old_day: date, new_day: date) -> None:
    for hook in collect(MODULE, "on_ticket_day_changed"):
        hook(ticket_id=ticket_id, old_day=old_day, new_day=new_day)
