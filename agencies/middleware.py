from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .selectors import staff_roles_for

BACK_OFFICE_PREFIX = "/kelola/"


class BackOfficeAccessMiddleware:
    """Back-office pages of a tenant need a staff role in *this* tenant's schema (403 otherwise).
    Citizens may use any tenant's portal; only /kelola/ is closed to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.schema_name != "public"
            and request.path_info.startswith(BACK_OFFICE_PREFIX)
        ):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            roles = staff_roles_for(user=request.user)
            if not roles:
                raise PermissionDenied("Anda tidak memiliki peran staf di tenant ini.")
            request.staff_roles = roles
        return self.get_response(request)
