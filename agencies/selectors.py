from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from .models import StaffRole


def staff_roles_for(*, user: AbstractBaseUser | AnonymousUser) -> list[StaffRole]:
    """The user's active roles in the current tenant schema (empty for citizens)."""
    if not user.is_authenticated:
        return []
    return list(StaffRole.objects.filter(user_id=user.pk, is_active=True).select_related("agency"))


def is_tenant_admin(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and StaffRole.objects.filter(
        user_id=user.pk, is_active=True, role=StaffRole.Role.TENANT_ADMIN
    ).exists()


def agency_kind_mappings() -> dict[str, int]:
    """{OPD kind: agency id} of the current tenant (catalog.workflow.AGENCY_KINDS)."""
    from .models import AgencyKindMapping

    return dict(AgencyKindMapping.objects.values_list("kind", "agency_id"))
