"""Landing pages of the two front doors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.selectors import live_tenants


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform/home.html", {"tenants": live_tenants()})


def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tenant": request.tenant})
