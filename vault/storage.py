"""Where the citizen's vault files live: one place for the whole deployment, outside every
tenant's media folder (docs/adr/0013).

* filesystem: `<MEDIA_ROOT>/citizen-vault/<random token>.<ext>` (read at every access, so tests
  may point MEDIA_ROOT elsewhere). `citizen-vault` can never be a tenant's folder: schema
  names have no `-`.
* S3 (`MEDIA_STORAGE=s3`): the same bucket under `<AWS_LOCATION>/citizen-vault/`, private,
  never a tenant prefix.

No URL serves these files: `url()` refuses, and only the owner's view streams them."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage

FOLDER = "citizen-vault"


class CitizenVaultStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(os.path.join(str(settings.MEDIA_ROOT), FOLDER))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Vault documents have no public URL.")


def _s3_storage(options: dict[str, Any]) -> Storage:  # pragma: no cover - production only
    from storages.backends.s3 import S3Storage

    base = str(options.get("location") or getattr(settings, "AWS_LOCATION", "")).strip("/")
    return S3Storage(**{**options, "location": f"{base}/{FOLDER}" if base else FOLDER})


_cached: Storage | None = None


def vault_storage() -> Storage:
    """Callable for FileField(storage=...), so migrations record no path or backend."""
    global _cached
    if _cached is None:
        default = settings.STORAGES.get("default", {})
        if default.get("BACKEND") == "core.storage.TenantS3Storage":  # pragma: no cover
            _cached = _s3_storage(dict(default.get("OPTIONS") or {}))
        else:
            _cached = CitizenVaultStorage()
    return _cached
