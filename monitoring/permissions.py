"""Who may see the ministry console and API: a user with a ministry role, on the platform host."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def is_ministry(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "ministry_role", ""))


def ministry_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Platform host only (404 elsewhere); login required; ministry role required (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if connection.schema_name != "public":
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_ministry(request.user):
            raise PermissionDenied(_("Halaman ini hanya untuk pengguna kementerian."))
        return view(request, *args, **kwargs)

    return wrapper


class IsMinistryUser(BasePermission):
    message = _("Hanya pengguna kementerian yang boleh mengakses data pemantauan.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_ministry(request.user)
