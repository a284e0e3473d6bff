"""The applications panel of the staff home (`/kelola/`), found by `agencies.views` through
core.discovery (`<app>.backoffice.home_panel`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import staff_scope
from .selectors import workload_summary


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    scope = staff_scope(request.user, request=request)
    if not scope.is_staff:
        return None
    return {"template": "applications/staff/_home_panel.html",
            "context": workload_summary(scope=scope, user=request.user)}
