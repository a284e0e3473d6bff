"""Public catalogue pages (platform host): list and the Standar Pelayanan of one service."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound

from .forms import CatalogFilterForm
from .models import ServiceVersion
from .selectors import catalog_services, service_latest_published, service_versions

PAGE_SIZE = 12

ACTOR_LABELS = {
    "pemohon": gettext_lazy("Pemohon"),
    "petugas": gettext_lazy("Petugas"),
    "kepala": gettext_lazy("Kepala OPD / pejabat"),
    "sistem": gettext_lazy("Sistem"),
}
KIND_LABELS = {"document": gettext_lazy("Dokumen"), "data": gettext_lazy("Data"), "condition": gettext_lazy("Ketentuan")}
EVIDENCE_LABELS = {
    "primary": (gettext_lazy("Teks resmi"), "badge-ok"),
    "secondary": (gettext_lazy("Sumber sekunder"), "badge-warn"),
    "unconfirmed": (gettext_lazy("Belum terkonfirmasi"), "badge-err"),
}


def rupiah(amount: int) -> str:
    return "Rp" + f"{int(amount):,}".replace(",", ".")


def catalog_list(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    services = catalog_services(
        category=filters.get("category") or None, search=filters.get("q") or None
    )
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for service in page.object_list:
        version = service.published_versions[0]
        rows.append({
            "service": service,
            "version": version,
            "fee": _("Gratis") if version.fee_amount == 0 else rupiah(version.fee_amount),
        })
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "catalog/list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "filtered": bool(filters.get("category") or filters.get("q")),
    })


def _condition_text(condition: dict[str, Any] | None, fields: dict[str, dict[str, Any]]) -> str:
    if not condition:
        return ""
    field = fields.get(condition.get("field"), {})
    labels = {c["value"]: c["label"] for c in field.get("choices") or []}
    values = ", ".join(str(labels.get(v, v)) for v in condition.get("in", []))
    return _("Wajib bila %(field)s: %(values)s") % {
        "field": field.get("label", condition.get("field")), "values": values,
    }


def _requirements(version: ServiceVersion) -> list[dict[str, Any]]:
    fields = {f.get("name"): f for f in version.form_fields if isinstance(f, dict)}
    rows = []
    for item in version.requirements:
        rows.append({
            **item,
            "kind_label": KIND_LABELS.get(item.get("kind"), item.get("kind")),
            "condition": _condition_text(item.get("required_when"), fields),
        })
    return rows


def _legal_basis(version: ServiceVersion) -> list[dict[str, Any]]:
    rows = []
    for index, item in enumerate(version.legal_basis, start=1):
        label, badge = EVIDENCE_LABELS.get(item.get("evidence"), (item.get("evidence"), ""))
        rows.append({**item, "anchor": f"dasar-{index}", "evidence_label": label,
                     "evidence_badge": badge})
    return rows


def catalog_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = service_latest_published(service_code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    legal_basis = _legal_basis(version)
    anchors = {item.get("ref"): item["anchor"] for item in legal_basis}
    requirements = _requirements(version)
    for item in requirements:
        item["legal_anchor"] = anchors.get(item.get("legal_basis"))
    procedure = [
        {**step, "actor_label": ACTOR_LABELS.get(step.get("actor"), step.get("actor"))}
        for step in version.procedure
    ]
    return render(request, "catalog/detail.html", {
        "version": version,
        "service": version.service,
        "requirements": requirements,
        "procedure": procedure,
        "legal_basis": legal_basis,
        "fee": _("Gratis (Rp0)") if version.fee_amount == 0 else rupiah(version.fee_amount),
        "versions": service_versions(service_code=version.service.code),
    })
