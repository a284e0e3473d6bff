"""Business errors of the hall app (see core.errors for the API format)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict, NotFound


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class SlotFull(Conflict):
    code = "slot_full"


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class InvalidTicketState(Conflict):
    code = "invalid_ticket_state"


class CounterBusy(Conflict):
    code = "counter_busy"


class QueueEmpty(ApplicationError):
    code = "queue_empty"
    status = 404


class InvalidCounter(ApplicationError):
    code = "invalid_counter"
