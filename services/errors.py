"""Business errors of the services (offerings) app."""

from __future__ import annotations

from core.errors import Conflict
from sla.errors import InvalidInput


class InvalidOffering(InvalidInput):
    code = "invalid_offering"


class FeeForbidden(InvalidOffering):
    """A local fee on a service whose fee is forbidden by law (adminduk: UU 24/2013 Ps. 79A)."""

    code = "fee_forbidden"


class VersionNotPublished(InvalidOffering):
    code = "version_not_published"


class AlreadyAdopted(Conflict):
    code = "already_adopted"


class InvalidAnnouncement(InvalidInput):
    code = "invalid_announcement"
