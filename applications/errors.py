"""Business errors of the applications app (translated by the API's exception handler into
`{"code", "message", "extra"}`; views turn them into form errors or messages)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from vault.errors import UploadRejected  # noqa: F401 - one class for every upload check


class ApplicationNotFound(NotFound):
    code = "application_not_found"


class DocumentNotFound(NotFound):
    code = "document_not_found"


class IllegalTransition(Conflict):
    """The action is not allowed from the application's current status (409)."""

    code = "illegal_transition"


class UnknownAction(ApplicationError):
    code = "unknown_action"


class WrongRole(PermissionDenied):
    code = "wrong_role"


class NotVerified(PermissionDenied):
    code = "contact_not_verified"


class OfferingUnavailable(ApplicationError):
    code = "offering_unavailable"
    status = 404


class InvalidApplication(ApplicationError):
    """Form data or requirements are invalid; `extra["fields"]` maps field -> messages."""

    code = "invalid_application"


class NoteRequired(ApplicationError):
    code = "note_required"


class OutputMissing(Conflict):
    code = "output_missing"


class ChecklistIncomplete(Conflict):
    """An officer declared the file complete without ticking every requirement that applies."""

    code = "checklist_incomplete"


class IdempotencyKeyRequired(ApplicationError):
    code = "idempotency_key_required"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class ConsentRequired(ApplicationError):
    """Documents would go to an OPD that does not hold them yet, and the citizen has not
    agreed on the consent screen (or agreed to another list). `extra["documents"]` lists
    them; `plan` carries the same rows for the view."""

    code = "share_consent_required"

    def __init__(self, message: str, *, extra: dict | None = None, plan: list | None = None
                 ) -> None:
        super().__init__(message, extra=extra)
        self.plan = plan or []


class TrackingRateLimited(ApplicationError):
    code = "rate_limited"
    status = 429
