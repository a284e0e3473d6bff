"""Who may see and act on an application in the current tenant (roles are per tenant)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agencies.models import StaffRole
from agencies.selectors import staff_roles_for

ACTING_ROLES = frozenset({StaffRole.Role.AGENCY_HEAD, StaffRole.Role.OFFICER})


@dataclass(frozen=True)
class StaffScope:
    """`agency_ids`: OPDs whose applications the user sees (any role there);
    `acting_agency_ids`: OPDs where the user may process (officer, agency head)."""

    is_admin: bool
    agency_ids: frozenset[int]
    acting_agency_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.agency_ids)

    def sees(self, agency_id: int) -> bool:
        return self.is_admin or agency_id in self.agency_ids

    def sees_application(self, application: Any) -> bool:
        """The OPD holding the file now, or one that held a step of it (issue 13): an OPD
        with no part in the application gets "not found"."""
        if self.sees(application.agency_id):
            return True
        return bool(self.agency_ids.intersection(application.involved_agencies or ()))

    def can_act(self, agency_id: int) -> bool:
        return self.is_admin or agency_id in self.acting_agency_ids


NO_SCOPE = StaffScope(is_admin=False, agency_ids=frozenset(), acting_agency_ids=frozenset())


def scope_from_roles(roles: Iterable[StaffRole]) -> StaffScope:
    roles = list(roles)
    return StaffScope(
        is_admin=any(r.role == StaffRole.Role.TENANT_ADMIN for r in roles),
        agency_ids=frozenset(r.agency_id for r in roles if r.agency_id),
        acting_agency_ids=frozenset(
            r.agency_id for r in roles if r.agency_id and r.role in ACTING_ROLES
        ),
    )


def staff_scope(user: Any, *, request: Any = None) -> StaffScope:
    """The user's scope in the current schema (reuses `request.staff_roles` when the
    back-office middleware or the API permission already loaded them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    roles = getattr(request, "staff_roles", None) if request is not None else None
    if roles is None:
        roles = staff_roles_for(user=user)
    return scope_from_roles(roles)
