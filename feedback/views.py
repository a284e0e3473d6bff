"""Pages of the feedback app: SKM questionnaire, complaint form and tracking (portal);
complaint worklist, detail, export and settings (back office)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies.models import StaffRole
from core.errors import ApplicationError
from services.models import Offering

from . import services as feedback_services
from .errors import StaffCannotSubmitSurvey, SurveyLinkInvalid
from .exports import lapor_csv, lapor_row
from .forms import ComplaintForm, SettingsForm, SkmForm, TransitionForm
from .models import Complaint
from .questionnaire import UNSUR
from .selectors import (
    complaint_get_by_code,
    complaint_get_for_staff,
    complaint_list,
    feedback_settings,
    identity_visible,
    skm_response_from_token,
    user_is_staff_here,
)


def _services() -> list[tuple[str, str]]:
    offerings = Offering.objects.filter(is_enabled=True).select_related("service_version")
    return [(o.service_code, o.service_version.name) for o in offerings.order_by("service_code")]


# --------------------------------------------------------------------------- SKM


def skm(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire behind a signed, single-use link. Staff of this tenant get 403."""
    if user_is_staff_here(user=request.user):
        return render(request, "feedback/skm_forbidden.html", status=403)
    try:
        response = skm_response_from_token(token=token)
    except SurveyLinkInvalid as exc:
        return render(request, "feedback/skm_done.html", {"message": exc.message}, status=404)
    if response.submitted_at is not None:
        return render(request, "feedback/skm_done.html", {
            "message": _("Survei untuk transaksi ini sudah diisi. Terima kasih."),
        })
    form = SkmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_services.skm_submit(
                token=token, user=request.user, comment=data.pop("comment", ""), answers=data
            )
        except StaffCannotSubmitSurvey:
            return render(request, "feedback/skm_forbidden.html", status=403)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            return render(request, "feedback/skm_done.html", {
                "message": _("Terima kasih. Jawaban Anda membantu kami memperbaiki layanan."),
                "thanks": True,
            })
    return render(request, "feedback/skm.html", {"form": form, "response": response, "unsur": UNSUR})


# --------------------------------------------------------------------------- complaints


def _complainant_initial(user) -> dict[str, str]:
    """A signed-in citizen's name and contact, so they need not type them again (they may
    still change them, or choose to complain anonymously)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"name": user.full_name or "", "contact": user.email or user.phone or ""}


def complaint_new(request: HttpRequest) -> HttpResponse:
    form = ComplaintForm(request.POST or None, services=_services(), initial={
        "reference": request.GET.get("rujukan", ""), **_complainant_initial(request.user),
    })
    if request.method == "POST" and form.is_valid():
        try:
            complaint = feedback_services.complaint_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            for field, errors in exc.extra.get("fields", {}).items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.extra.get("fields"):
                form.add_error(None, exc.message)
        else:
            return render(request, "feedback/complaint_created.html", {"complaint": complaint})
    return render(request, "feedback/complaint_form.html", {"form": form})


def complaint_track(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("kode") or "").strip()
    complaint = None
    error = ""
    if code:
        try:
            complaint = complaint_get_by_code(code=code)
        except ApplicationError as exc:
            error = exc.message
    timeline = [e for e in (complaint.timeline if complaint else []) if e.get("public", True)]
    return render(request, "feedback/complaint_track.html", {
        "code": code, "complaint": complaint, "error": error, "timeline": timeline,
    })


def _roles(request: HttpRequest) -> list[StaffRole]:
    return getattr(request, "staff_roles", [])


def complaints(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(complaint_list(roles=_roles(request), status=status), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "feedback/complaints.html", {
        "page": page, "status": status, "statuses": Complaint.Status.choices,
    })


def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roles = _roles(request)
    try:
        complaint = complaint_get_for_staff(roles=roles, complaint_id=pk)
    except ApplicationError:
        raise Http404 from None
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_services.complaint_transition(
                actor=request.user, complaint=complaint, action=data["action"], note=data["note"],
                agency_id=data["agency"].pk if data["agency"] else None,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Status pengaduan diperbarui."))
            return redirect("feedback:complaint-detail", pk=complaint.pk)
    return render(request, "feedback/complaint_detail.html", {
        "complaint": complaint, "form": form,
        "show_identity": identity_visible(complaint=complaint, roles=roles),
    })


def complaints_export(request: HttpRequest) -> HttpResponse:
    """SP4N-LAPOR!-shaped export of the complaints this staff member may see."""
    rows = complaint_list(roles=_roles(request), status=request.GET.get("status", ""))
    if request.GET.get("format") == "json":
        body = json.dumps([lapor_row(c) for c in rows], ensure_ascii=False, indent=1, default=str)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="pengaduan-lapor.json"'
        return response
    response = HttpResponse(lapor_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pengaduan-lapor.csv"'
    return response


def feedback_settings_page(request: HttpRequest) -> HttpResponse:
    if not any(r.role == StaffRole.Role.TENANT_ADMIN for r in _roles(request)):
        raise PermissionDenied(_("Hanya admin tenant yang boleh mengubah pengaturan ini."))
    current = feedback_settings()
    form = SettingsForm(request.POST or None, initial={
        "verify_days": current.verify_days, "respond_days": current.respond_days,
        "close_days": current.close_days,
        "auto_complaint_on_breach": current.auto_complaint_on_breach,
    })
    if request.method == "POST" and form.is_valid():
        feedback_services.feedback_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Pengaturan disimpan."))
        return redirect("feedback:complaints")
    return render(request, "feedback/settings.html", {"form": form})
