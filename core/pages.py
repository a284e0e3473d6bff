"""Landing page of the platform host (the tenant portal home is services.views.home)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import live_tenants


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform/home.html", {"tenants": live_tenants()})

