"""Tenant-admin checks for back-office views (one place, one message style)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .selectors import is_tenant_admin

View = Callable[..., HttpResponse]


def require_tenant_admin(request: HttpRequest, message: str | None = None) -> None:
    """Raise PermissionDenied (403) unless the user is a tenant admin of this schema."""
    if not is_tenant_admin(user=request.user):
        raise PermissionDenied(message or _("Halaman ini khusus admin tenant."))


def tenant_admin_required(message: str | None = None) -> Callable[[View], View]:
    """Decorator: tenant hosts only (404 on the platform), login, then the tenant-admin role."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if connection.schema_name == "public":
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_tenant_admin(request, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
