"""Base classes for API views: every tenant API inherits TenantApi."""

from __future__ import annotations

from django.db import connection
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from agencies.selectors import staff_roles_for


class OnTenantHost(BasePermission):
    """Tenant endpoints exist only on tenant hosts (404 on the platform host)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if connection.schema_name == "public":
            raise NotFound()
        return True


class IsTenantStaff(BasePermission):
    message = "Anda tidak memiliki peran staf di tenant ini."

    def has_permission(self, request: Request, view: APIView) -> bool:
        roles = staff_roles_for(user=request.user)
        request.staff_roles = roles
        allowed = getattr(view, "staff_roles_allowed", None)
        if allowed is None:
            return bool(roles)
        return any(role.role in allowed for role in roles)


class OnPlatformHost(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if connection.schema_name != "public":
            raise NotFound()
        return True


class TenantApi(APIView):
    permission_classes = [OnTenantHost, IsAuthenticated]


class TenantStaffApi(APIView):
    permission_classes = [OnTenantHost, IsAuthenticated, IsTenantStaff]
    staff_roles_allowed: tuple[str, ...] | None = None
