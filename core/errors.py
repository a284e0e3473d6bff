"""One error type for business rules. The API's exception handler turns it into
`{"code", "message", "extra"}`; views turn it into a form error or a message."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    code: str = "application_error"
    status: int = 400

    def __init__(
        self, message: str, *, extra: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if code:
            self.code = code


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
