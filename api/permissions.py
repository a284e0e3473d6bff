"""Scopes of national API tokens (`api.models.Scope`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from .models import ApiToken, Scope


def api_token_of(request: Any) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def HasScope(
    scope: str, *, public: bool = False, user_permission: type[BasePermission] | None = None,
) -> type[BasePermission]:
    """A permission class for an endpoint national tokens may read with `scope`.

    - A request with a national token passes if the token has the scope; otherwise 403
      `insufficient_scope` (whatever its owner could do: the token's scopes bound it).
    - Without a national token: `public=True` lets everyone in (anonymous catalogue and open
      data); else `user_permission` decides (e.g. IsMinistryUser), or any logged-in user."""
    if scope not in Scope.values:
        raise ValueError(f"unknown API token scope {scope!r}")

    class _HasScope(BasePermission):
        required_scope = scope

        def has_permission(self, request: Any, view: Any) -> bool:
            token = api_token_of(request)
            if token is not None:
                if token.has_scope(scope):
                    return True
                self.code = "insufficient_scope"
                self.message = _("Token API ini tidak memiliki cakupan %(scope)s.") % {
                    "scope": scope
                }
                return False
            if public:
                return True
            if user_permission is not None:
                check = user_permission()
                self.message = getattr(check, "message", None)
                return bool(check.has_permission(request, view))
            return bool(request.user and request.user.is_authenticated)

    _HasScope.__name__ = _HasScope.__qualname__ = f"HasScope[{scope}]"
    return _HasScope
