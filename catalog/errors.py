"""Business errors of the catalogue (see core.errors)."""

from __future__ import annotations

from core.errors import ApplicationError, Conflict


class VersionImmutable(Conflict):
    """A published (or retired) version cannot be edited: make a new draft."""

    code = "catalog_version_immutable"


class DraftExists(Conflict):
    code = "catalog_draft_exists"


class PublishInvalid(ApplicationError):
    """The draft cannot be published; `extra["errors"]` lists every problem."""

    code = "catalog_publish_invalid"


class VersionInvalid(ApplicationError):
    code = "catalog_version_invalid"


class SeedInvalid(ApplicationError):
    code = "catalog_seed_invalid"
