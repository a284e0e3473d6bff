"""Private storage for appointing letters: outside MEDIA_ROOT, never served by URL.

Files live under `settings.DATA_DIR / "private" / "registrations"` (read at every access, so
tests may point DATA_DIR elsewhere) and are read only through the ministry's download view."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateRegistrationStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.DATA_DIR / "private" / "registrations")

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Registration letters have no public URL.")


def private_registration_storage() -> PrivateRegistrationStorage:
    """Callable for FileField(storage=...), so migrations do not record a path."""
    return PrivateRegistrationStorage()
