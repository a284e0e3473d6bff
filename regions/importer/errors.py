"""Errors that stop an import before any row is read (file-level problems)."""

from __future__ import annotations


class ImportFileError(ValueError):
    """The uploaded file cannot be read at all; ``str(exc)`` is an Indonesian message."""

    def __init__(self, message: str, *, reason: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
