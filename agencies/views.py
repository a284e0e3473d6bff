from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.discovery import collect


def backoffice_home(request: HttpRequest) -> HttpResponse:
    """Back office landing; BackOfficeAccessMiddleware has already checked the role. Apps add
    panels through `<app>.backoffice.home_panel(request)` → {"template", "context"} or None
    (applications: the OPDs' workload and SLA summary)."""
    panels = [panel for hook in collect("backoffice", "home_panel")
              if (panel := hook(request)) is not None]
    return render(request, "backoffice/home.html", {
        "roles": request.staff_roles, "panels": panels,
    })
