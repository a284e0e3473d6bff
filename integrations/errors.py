"""Business errors of the integrations app (`{"code", "message", "extra"}` in the API)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict, NotFound


class UnknownApplication(NotFound):
    code = "unknown_application"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class WrongStep(Conflict):
    """The report names a workflow step the file is not at (issue 13)."""

    code = "wrong_step"


class EventIdConflict(Conflict):
    """The same event id was used before with a different payload."""

    code = "event_id_conflict"


class StaleTimestamp(ApplicationError):
    code = "stale_timestamp"
    status = 401


class BadSignature(ApplicationError):
    code = "bad_signature"
    status = 401


class ClientNotFound(NotFound):
    code = "client_not_found"


class EndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"


class DeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"


class InvalidIntegration(ApplicationError):
    """Field errors in `extra["fields"]`."""

    code = "invalid_integration"


class ExternalChannelUnavailable(NotFound):
    code = "external_channel_unavailable"
