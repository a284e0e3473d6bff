"""Back-office pages (`/kelola/permohonan/…`). BackOfficeAccessMiddleware has already required
a staff role in this tenant; the selectors restrict everything to the user's OPDs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError

from . import identity, selectors, services
from .attachments import attachment_open_log
from .formspec import form_spec_for
from .models import SlaState, Status
from .permissions import staff_scope
from .statemachine import allowed_actions, application_transition
from .views import _answers, _document_rows, _file_response


def _scope(request: HttpRequest) -> Any:
    return staff_scope(request.user, request=request)


def worklist(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    filters = selectors.WorklistFilters.from_params(request.GET)
    page = selectors.worklist_page(
        selectors.worklist(scope=scope, user=request.user, filters=filters).only(
            *selectors.WORKLIST_ROW_FIELDS
        ),
        after=str(request.GET.get("after") or "")[:200],
        before=str(request.GET.get("before") or "")[:200],
    )
    query = request.GET.copy()
    for key in ("page", "after", "before"):
        query.pop(key, None)
    context = {
        "page": page, "filters": filters, "query": query.urlencode(),
        "statuses": Status.choices[1:], "sla_states": SlaState.choices,
        "services": selectors.worklist_services(scope=scope),
    }
    template = "applications/staff/_worklist_table.html" if getattr(
        request, "htmx", False) and request.htmx.target == "worklist-table" \
        else "applications/staff/worklist.html"
    return render(request, template, context)


def _application(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.application_for_staff(scope=_scope(request), application_id=pk)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


def _staff_answers(spec: Any, application: Any, *, revealed: str = "") -> list[dict[str, Any]]:
    """The answers as staff see them: NIK and KK numbers masked unless just revealed."""
    sensitive = identity.identity_fields(spec.fields)
    rows = []
    for (label, value), spec_field in zip(_answers(spec, application), spec.fields, strict=True):
        name = spec_field["name"]
        hidden = name in sensitive and name != revealed
        rows.append({
            "name": name, "label": label,
            "value": identity.masked(application.form_data.get(name)) if hidden else value,
            "can_reveal": hidden and bool(application.form_data.get(name)),
        })
    return rows


def detail(request: HttpRequest, pk: int, *, revealed: str = "") -> HttpResponse:
    scope = _scope(request)
    application = _application(request, pk)
    spec = form_spec_for(application.offering, version_id=application.service_version_id)
    return render(request, "applications/staff/detail.html", {
        "application": application,
        "answers": _staff_answers(spec, application, revealed=revealed),
        "can_reveal": scope.can_act(application.agency_id),
        "documents": _document_rows(spec, application),
        "events": selectors.timeline(application=application, include_internal=True),
        "notifications": selectors.notifications_of(application=application),
        "actions": allowed_actions(application, user=request.user, scope=scope),
        "can_act": scope.can_act(application.agency_id),
        "assignable": selectors.assignable_staff(application=application)
        if scope.can_act(application.agency_id) else [],
        "can_issue": application.status in {Status.APPROVED, Status.COMPLETED}
        and scope.can_act(application.agency_id),
        "default_revision_deadline": timezone.localdate() + dt.timedelta(days=14),
        "route": selectors.workflow_progress(application=application),
    })


def _back(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("applications:staff-detail", args=[pk]))


def _handle(request: HttpRequest, pk: int, func: Any, success: str) -> HttpResponse:
    try:
        func()
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        status = exc.status
        response = _back(pk)
        response["X-Error-Status"] = str(status)
        return response
    messages.success(request, success)
    return _back(pk)


@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    deadline = None
    raw = request.POST.get("revision_deadline", "").strip()
    if raw:
        try:
            deadline = dt.date.fromisoformat(raw)
        except ValueError:
            deadline = None
    # the verification checklist travels with "accept" (berkas lengkap) only
    checked = [key.removeprefix("check_") for key in request.POST if key.startswith("check_")] \
        if action == "accept" else None
    # what the officer records to leave the workflow step forward: record_<code> fields/files
    record = {key.removeprefix("record_"): value for key, value in request.POST.items()
              if key.startswith("record_")}
    record.update({key.removeprefix("record_"): value for key, value in request.FILES.items()
                   if key.startswith("record_")})
    return _handle(
        request, pk,
        lambda: application_transition(
            application_id=pk, action=action, actor=request.user,
            note=request.POST.get("note", "")[:2000], revision_deadline=deadline,
            scope=_scope(request), checked=checked,
            record=record if action == "forward" else None,
        ),
        _("Status permohonan diperbarui."),
    )


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("assignee", "").strip()
    assignee = int(raw) if raw.isdigit() else None
    return _handle(
        request, pk,
        lambda: services.application_assign(
            application_id=pk, actor=request.user, assignee_id=assignee, scope=_scope(request)
        ),
        _("Penugasan disimpan."),
    )


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _handle(
        request, pk,
        lambda: services.application_comment(
            application_id=pk, actor=request.user, note=request.POST.get("note", ""),
            scope=_scope(request),
        ),
        _("Catatan disimpan."),
    )


@require_POST
def output(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    upload = request.FILES.get("file")
    if upload is not None:
        valid_until = None
        raw = request.POST.get("valid_until", "").strip()
        if raw:
            try:
                valid_until = dt.date.fromisoformat(raw)
            except ValueError:
                valid_until = None
        return _handle(
            request, pk,
            lambda: services.output_upload(
                application_id=pk, actor=request.user, upload=upload,
                name=request.POST.get("name", "").strip(), valid_until=valid_until, scope=scope,
            ),
            _("Dokumen keluaran diunggah."),
        )
    return _handle(
        request, pk,
        lambda: services.output_generate(
            application_id=pk, actor=request.user, base_url=request.build_absolute_uri("/"),
            scope=scope,
        ),
        _("Dokumen keluaran diterbitkan."),
    )


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one identity number in full, for staff who may act on the application; the
    citizen sees the access (applications.identity)."""
    application = _application(request, pk)
    field = request.POST.get("field", "")
    spec = form_spec_for(application.offering, version_id=application.service_version_id)
    if not _scope(request).can_act(application.agency_id):
        raise PermissionDenied(_("Hanya petugas OPD pemilik permohonan yang boleh menampilkan "
                                 "nomor identitas."))
    if field not in identity.identity_fields(spec.fields):
        raise Http404(_("Isian ini bukan nomor identitas."))
    identity.identity_field_reveal(application=application, field=field, actor=request.user)
    return detail(request, pk, revealed=field)


def document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A citizen's document for the verification checklist; every access is logged."""
    try:
        application, doc = selectors.document_for_staff(
            scope=_scope(request), application_id=pk, document_id=document_id
        )
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    attachment_open_log(application=application, attachment=doc, actor=request.user)
    return _file_response(doc.file, content_type=doc.content_type, attachment=False,
                          filename=f"{doc.label}.{doc.extension}")


def output_file(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not application.output_file:
        raise Http404
    extension = application.output_file.name.rsplit(".", 1)[-1]
    content_type = {"pdf": "application/pdf", "png": "image/png"}.get(extension, "image/jpeg")
    return _file_response(application.output_file, content_type=content_type, attachment=False,
                          filename=f"{application.tracking_code}.{extension}")
