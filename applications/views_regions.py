"""htmx endpoint of the application forms: the desa/kelurahan <select> narrowed to the chosen
kecamatan (the same partial as the profile page, accounts/_village_field.html)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.errors import NotFound

from .formspec import form_spec_for


def _version_id(offering: object, raw: str) -> int | None:
    """The requested catalogue version when it is one of this offering's service, else None."""
    from catalog.models import ServiceVersion

    if not raw.isdigit():
        return None
    service_id = offering.service_version.service_id  # type: ignore[attr-defined]
    found = ServiceVersion.objects.filter(pk=int(raw), service_id=service_id).exists()
    return int(raw) if found else None


@login_required
@require_GET
def villages(request: HttpRequest, service_code: str) -> HttpResponse:
    """`?isian=<desa field>&<its kecamatan field>=<code>[&versi=<version id>]`."""
    from services.selectors import offering_by_code

    try:
        offering = offering_by_code(service_code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    spec = form_spec_for(offering, version_id=_version_id(offering, request.GET.get("versi", "")))
    name = request.GET.get("isian", "")
    district_name = getattr(spec.form_class, "region_pairs", {}).get(name)
    if not district_name:
        raise Http404
    form = spec.form_class(initial={district_name: request.GET.get(district_name, "")})
    return render(request, "accounts/_village_field.html",
                  {"field": form[name], "wrapper_id": f"village-{name}"})
