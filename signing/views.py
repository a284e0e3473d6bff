"""Pages of the signing app: the public PDF check (tenant host), the staff retry button, and
the deployment CA certificate and CRL for relying parties (platform host)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError

from . import selectors, services
from .pades import MAX_VERIFY_BYTES


def read_upload(upload: Any) -> bytes | None:
    """The uploaded file's bytes, or None when it is too large to check."""
    if upload is None or upload.size > MAX_VERIFY_BYTES:
        return None
    upload.seek(0)
    return upload.read()


def check_context(upload: Any) -> dict[str, Any]:
    """Context for signing/_check.html (also used by the token verification page)."""
    if upload is None:
        return {}
    content = read_upload(upload)
    if content is None:
        return {"signature_too_large": True}
    return {"signature_check": selectors.pdf_verification(pdf=content)}


@require_http_methods(["GET", "POST"])
def verify_pdf(request: HttpRequest) -> HttpResponse:
    context = check_context(request.FILES.get("file")) if request.method == "POST" else {}
    return render(request, "signing/verify_pdf.html", context)


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    from applications import selectors as app_selectors
    from applications.permissions import staff_scope

    try:
        app_selectors.application_for_staff(scope=staff_scope(request.user, request=request),
                                            application_id=pk)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    services.signature_retry_now(application_id=pk, actor=request.user)
    messages.success(request, _("Penandatanganan elektronik dijadwalkan ulang."))
    return HttpResponseRedirect(reverse("applications:staff-detail", args=[pk]))


@require_GET
def ca_certificate(request: HttpRequest) -> HttpResponse:
    from .authority import ca_pem

    response = HttpResponse(ca_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="mpp-digital-ca.pem"'
    return response


@require_GET
def ca_crl(request: HttpRequest) -> HttpResponse:
    from .authority import crl_der

    return HttpResponse(crl_der(), content_type="application/pkix-crl")
