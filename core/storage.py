"""Tenant-aware media storage on S3-compatible object storage (django-storages).

Every tenant's objects live under `<AWS_LOCATION>/<schema_name>/…`. The prefix is computed from
`connection.schema_name` on **every** call (save, open, url, exists, listdir, delete, size all
go through `location`), never once at init: a storage instance is a process-wide singleton, so
a prefix fixed at init would put every tenant's uploads under the first tenant's prefix
(django-tenants issue #242).

Objects are private: no ACL, and `url()` returns short-lived presigned URLs
(`querystring_auth`). Views that hand out files must check access first.
"""

from __future__ import annotations

import posixpath

from django.db import connection

try:
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover - django-storages is optional outside production
    S3Storage = object  # type: ignore[assignment,misc]


def tenant_key_prefix(base_location: str, schema_name: str) -> str:
    """`media` + `kota_bandung` → `media/kota_bandung` (no leading/trailing slash)."""
    if not schema_name or "/" in schema_name or schema_name in {".", ".."}:
        raise ValueError(f"invalid schema name for a storage prefix: {schema_name!r}")
    base = base_location.strip("/")
    return posixpath.join(base, schema_name) if base else schema_name


class TenantS3Storage(S3Storage):
    """S3Storage whose `location` is `<base location>/<current schema>`, per call."""

    _base_location = ""

    def __init__(self, **settings: object) -> None:
        base = settings.pop("location", None)
        super().__init__(**settings)
        if base is None:
            from django.conf import settings as django_settings

            base = getattr(django_settings, "AWS_LOCATION", "")
        self._base_location = str(base).strip("/")

    @property
    def location(self) -> str:
        return tenant_key_prefix(self._base_location, connection.schema_name)

    @location.setter
    def location(self, value: str) -> None:
        self._base_location = str(value).strip("/")
