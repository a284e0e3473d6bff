from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    html = render_to_string("errors/404.html", request=request)
    return HttpResponse(html, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    html = render_to_string("errors/403.html", {"reason": str(exception or "")}, request=request)
    return HttpResponse(html, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or a fast 503 while the database is unreachable (the app recovers by itself:
    CONN_HEALTH_CHECKS reconnects on the next request)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        html = render_to_string("errors/503.html")
        return HttpResponse(html, status=503, headers={"Retry-After": "30"})
    return HttpResponse(render_to_string("errors/500.html"), status=500)
