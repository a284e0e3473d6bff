from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from core.context import user_id_var
from core.hosts import canonical_hostname

from .receivers import SESSION_GENERATION_KEY, SESSION_HOST_KEY


class SessionHostBindingMiddleware:
    """A session is only valid on the host that created it. Cookies are already per host;
    this also defeats a session id copied to another subdomain. A session also ends once its
    user signed out anywhere (`User.session_generation` moved on, docs/adr/0010)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            host = canonical_hostname(request)
            bound = request.session.setdefault(SESSION_HOST_KEY, host)
            generation = request.session.setdefault(
                SESSION_GENERATION_KEY, user.session_generation
            )
            if bound != host or generation != user.session_generation:
                logout(request)
            else:
                user_id_var.set(str(user.pk))
        return self.get_response(request)
