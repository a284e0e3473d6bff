from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import request_id_var, user_id_var
from .health import check_broker, check_database

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class HealthCheckMiddleware:
    """Answers /healthz and /readyz on any Host, before tenant routing and ALLOWED_HOSTS,
    so Kubernetes probes work against the pod IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == "/healthz":
            return _json({"status": "ok"}, 200)
        if path == "/readyz":
            db_ok, db_detail = check_database()
            broker_ok, broker_detail = check_broker()
            ok = db_ok and broker_ok
            body = {
                "status": "ok" if ok else "unavailable",
                "database": db_detail,
                "broker": broker_detail,
            }
            return _json(body, 200 if ok else 503)
        return self.get_response(request)


def _json(body: dict[str, str], status: int) -> HttpResponse:
    return HttpResponse(
        json.dumps(body), status=status, content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        user_token = user_id_var.set("-")
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            user_id_var.reset(user_token)
        response["X-Request-ID"] = request_id
        return response


class IndonesianFirstMiddleware:
    """Bahasa Indonesia first: the interface language is Indonesian unless the user chose
    English with the language switch (Django's language cookie). A browser's Accept-Language
    alone does not switch a government service's language. Placed before LocaleMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
