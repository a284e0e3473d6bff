from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def backoffice_home(request: HttpRequest) -> HttpResponse:
    """Back office landing; BackOfficeAccessMiddleware has already checked the role."""
    return render(request, "backoffice/home.html", {"roles": request.staff_roles})
