"""Business errors of the citizen's vault (`{"code", "message", "extra"}` in the API)."""

from __future__ import annotations

from core.errors import ApplicationError, NotFound


class DocumentNotFound(NotFound):
    code = "document_not_found"


class UploadRejected(ApplicationError):
    """An upload was refused (type sniffed from content, size, empty)."""

    code = "upload_rejected"
