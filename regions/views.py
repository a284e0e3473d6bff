"""Back office: the tenant's kecamatan and desa/kelurahan (/kelola/wilayah/, tenant admin).

Upload → preview (layout, errors with row numbers, warnings, diff) → apply. Between preview and
apply the file is kept privately (regions.services.region_upload_stash) and named in the session;
apply re-validates it inside the transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from agencies.access import tenant_admin_required as _tenant_admin_required
from core.errors import ApplicationError

from . import selectors, services

SESSION_KEY = "regions_upload"
View = Callable[..., HttpResponse]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas wilayah (CSV atau XLSX)"),
        error_messages={"required": gettext_lazy("Pilih berkas CSV atau XLSX.")},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                             "officedocument.spreadsheetml.sheet"}
        ),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Nama lembar (XLSX, opsional)"), required=False, max_length=100,
        help_text=gettext_lazy("Kosongkan untuk memakai lembar pertama."),
    )


tenant_admin_required = _tenant_admin_required(gettext_lazy("Pengelolaan wilayah khusus admin tenant."))


def _manage_context(request: HttpRequest, upload_form: UploadForm | None = None) -> dict[str, Any]:
    query = (request.GET.get("q") or "").strip()[:100]
    villages = selectors.village_list(search=query)
    page = Paginator(villages, 50).get_page(request.GET.get("page"))
    return {
        "query": query,
        "page": page,
        "counts": selectors.region_counts(),
        "history": selectors.region_import_history(limit=10),
        "upload_form": upload_form or UploadForm(),
        "regency_code": request.tenant.region_code,
    }


@tenant_admin_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    context = _manage_context(request)
    template = "regions/_village_table.html" if request.htmx else "regions/manage.html"
    return render(request, template, context)


@tenant_admin_required
@require_POST
def prefill(request: HttpRequest) -> HttpResponse:
    """One click: fill from the national list. With existing data, show the diff first."""
    if selectors.region_counts()["districts"]:
        return redirect(f"{_preview_url()}?sumber=nasional")
    record = services.region_import_apply(actor=request.user, source="reference")
    messages.success(
        request,
        _("Diisi dari daftar nasional: %(d)d kecamatan, %(v)d desa/kelurahan.")
        % {"d": record.counts.get("districts", 0), "v": record.counts.get("villages", 0)},
    )
    return redirect("regions:manage")


def _preview_url() -> str:
    from django.urls import reverse

    return reverse("regions:preview")


@tenant_admin_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "regions/manage.html", _manage_context(request, form), status=400)
    uploaded = form.cleaned_data["file"]
    data = uploaded.read()
    sha = services.region_upload_stash(file_bytes=data)
    request.session[SESSION_KEY] = {
        "sha256": sha, "filename": uploaded.name[:255], "sheet": form.cleaned_data["sheet"],
    }
    return redirect("regions:preview")


@tenant_admin_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    if request.GET.get("sumber") == "nasional":
        result = services.region_import_preview(source="reference")
        return render(request, "regions/preview.html", {"preview": result, "source": "reference"})
    stashed = request.session.get(SESSION_KEY)
    if not stashed:
        messages.warning(request, _("Belum ada berkas yang diunggah."))
        return redirect("regions:manage")
    try:
        data = services.region_upload_read(sha256=stashed["sha256"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("regions:manage")
    result = services.region_import_preview(
        source="file", file_bytes=data, filename=stashed["filename"], sheet=stashed["sheet"]
    )
    return render(
        request, "regions/preview.html",
        {"preview": result, "source": "file",
         "upload_form": UploadForm(initial={"sheet": stashed["sheet"]})},
        status=200 if result.ok else 400,
    )


@tenant_admin_required
@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    source = request.POST.get("source")
    try:
        if source == "reference":
            record = services.region_import_apply(actor=request.user, source="reference")
        else:
            stashed = request.session.get(SESSION_KEY)
            if not stashed or stashed.get("sha256") != request.POST.get("sha256"):
                messages.error(request, _("Berkas pratinjau sudah berganti; unggah ulang."))
                return redirect("regions:manage")
            data = services.region_upload_read(sha256=stashed["sha256"])
            record = services.region_import_apply(
                actor=request.user, source="file", file_bytes=data,
                filename=stashed["filename"], sheet=stashed["sheet"],
            )
            services.region_upload_discard(sha256=stashed["sha256"])
            request.session.pop(SESSION_KEY, None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("regions:preview") if source != "reference" else redirect("regions:manage")
    c = record.counts
    messages.success(
        request,
        _("Impor diterapkan: %(a)d ditambah, %(r)d diganti nama, %(m)d dipindah, "
          "%(i)d dinonaktifkan, %(re)d diaktifkan kembali.")
        % {"a": c.get("added", 0), "r": c.get("renamed", 0), "m": c.get("moved", 0),
           "i": c.get("inactivated", 0), "re": c.get("reactivated", 0)},
    )
    return redirect("regions:manage")


@tenant_admin_required
@require_GET
def history_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = selectors.region_import_get(import_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    labels = {"added": _("Ditambah"), "renamed": _("Diganti nama"), "moved": _("Dipindah"),
              "inactivated": _("Dinonaktifkan"), "reactivated": _("Diaktifkan kembali")}
    groups = [(labels.get(key, key), changes) for key, changes in record.diff.items() if changes]
    return render(request, "regions/history_detail.html", {"record": record, "groups": groups})
