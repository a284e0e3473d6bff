from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest | None) -> bool:
    """Everything under /api/ answers in the API's one error format, never HTML."""
    return request is not None and request.path.startswith(API_PREFIX)


def api_error(code: str, message: str, status: int, **headers: str) -> JsonResponse:
    """The API's error body (`api.exception_handlers`): {"code", "message", "extra"}."""
    return JsonResponse({"code": code, "message": message, "extra": {}}, status=status,
                        headers=headers or None)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return api_error("not_found", _("Alamat API ini tidak ada."), 404)
    html = render_to_string("errors/404.html", request=request)
    return HttpResponse(html, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return api_error("permission_denied", _("Anda tidak berhak melakukan tindakan ini."), 403)
    html = render_to_string("errors/403.html", {"reason": str(exception or "")}, request=request)
    return HttpResponse(html, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or a fast 503 while the database is unreachable (the app recovers by itself:
    CONN_HEALTH_CHECKS reconnects on the next request)."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    if is_api_request(request):
        if unavailable:
            return api_error("service_unavailable",
                             _("Layanan sedang tidak tersedia. Coba lagi sebentar lagi."), 503,
                             **{"Retry-After": "30"})
        return api_error("server_error", _("Terjadi kesalahan pada server."), 500)
    if unavailable:
        html = render_to_string("errors/503.html")
        return HttpResponse(html, status=503, headers={"Retry-After": "30"})
    return HttpResponse(render_to_string("errors/500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the API's JSON under /api/, Django's page elsewhere."""
    if is_api_request(request):
        return api_error("csrf_failed", _("Permintaan ditolak: pemeriksaan CSRF gagal."), 403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)
