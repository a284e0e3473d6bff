"""PDF documents (WeasyPrint) with QR codes (segno): the submission receipt and the output
documents (SIP layout or generic). The QR and the printed URL carry the same link."""

from __future__ import annotations

import base64
from typing import Any

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone


def qr_svg_data_uri(url: str) -> str:
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_svg_inline(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def _tenant() -> Any:
    return getattr(connection, "tenant", None)


def mask_name(name: str) -> str:
    """"Siti Warga Lestari" → "Si** Wa*** Le*****" (first two letters of each word)."""
    parts = []
    for word in (name or "").split():
        keep = 2 if len(word) > 2 else 1
        parts.append(word[:keep] + "*" * (len(word) - keep))
    return " ".join(parts)


def render_receipt_pdf(*, application: Any, tracking_url: str, service_name: str,
                       applicant_name: str) -> bytes:
    html = render_to_string("applications/pdf/receipt.html", {
        "application": application, "tenant": _tenant(), "tracking_url": tracking_url,
        "qr": qr_svg_data_uri(tracking_url), "service_name": service_name,
        "applicant_name": applicant_name, "printed_at": timezone.localtime(),
    })
    return html_to_pdf(html)


def render_output_html(*, application: Any, template: str, verify_url: str,
                       service_version: Any) -> str:
    from accounts.models import User

    from .output_context import signatory_for, sip_details

    holder = User.objects.filter(pk=application.applicant_id).only("full_name").first()
    name = template if template in {"sip", "generic"} else "generic"
    return render_to_string(f"applications/pdf/output_{name}.html", {
        "application": application, "tenant": _tenant(), "verify_url": verify_url,
        "qr": qr_svg_data_uri(verify_url), "holder_name": holder.full_name if holder else "",
        "version": service_version, "form": application.form_data or {},
        "agency": application.agency,
        "issued_at": timezone.localtime(application.output_issued_at),
        "signatory": signatory_for(application),
        "sip": sip_details(application=application, version=service_version)
        if name == "sip" else None,
    })


def render_output_pdf(*, application: Any, template: str, verify_url: str,
                      service_version: Any) -> bytes:
    return html_to_pdf(render_output_html(
        application=application, template=template, verify_url=verify_url,
        service_version=service_version,
    ))
