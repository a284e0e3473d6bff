"""Back-office pages of the sla app (/kelola/sla/): work calendar and SLA policies."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import require_tenant_admin
from agencies.selectors import is_tenant_admin
from core.errors import ApplicationError, NotFound
from services.selectors import offering_by_code, offerings_for_manage

from .forms import CalendarForm, HolidayForm, PolicyForm, StepTargetsForm, add_service_errors
from .selectors import (
    calendar_current,
    calendar_versions,
    policy_for,
    step_slas,
    upcoming_holidays,
)
from .services import (
    calendar_holiday_add,
    calendar_holiday_remove,
    calendar_update,
    sla_policy_create_default,
    sla_policy_set_step_targets,
    sla_policy_update,
)

if TYPE_CHECKING:
    from services.models import Offering

HISTORY_PAGE_SIZE = 20


def _require_admin(request: HttpRequest) -> None:
    require_tenant_admin(request, _("Hanya admin tenant yang boleh mengubah kalender dan SLA."))


def _calendar_page(
    request: HttpRequest, *, form: CalendarForm | None = None,
    holiday_form: HolidayForm | None = None, status: int = 200,
) -> HttpResponse:
    current = calendar_current()
    offerings = list(offerings_for_manage())
    return render(request, "sla/calendar.html", {
        "current": current,
        "form": form or CalendarForm(initial=CalendarForm.initial_for(current)),
        "holiday_form": holiday_form or HolidayForm(),
        "upcoming": upcoming_holidays(current),
        "history": list(calendar_versions()[:5]),
        "policies": [{"offering": o, "policy": policy_for(offering=o)} for o in offerings],
        "is_admin": is_tenant_admin(user=request.user),
    }, status=status)


@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _calendar_page(request)
    _require_admin(request)
    form = CalendarForm(request.POST)
    if form.is_valid():
        try:
            version = calendar_update(
                actor=request.user, note=form.cleaned_data["note"], **form.changes()
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Kalender kerja tersimpan sebagai versi %(v)s.")
                             % {"v": version.version})
            return HttpResponseRedirect(reverse("sla:calendar"))
    return _calendar_page(request, form=form, status=400)


@require_POST
def holiday_add(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            version = calendar_holiday_add(
                actor=request.user, day=form.cleaned_data["date"], name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Hari libur daerah ditambahkan (kalender versi %(v)s).")
                             % {"v": version.version})
            return HttpResponseRedirect(reverse("sla:calendar"))
    return _calendar_page(request, holiday_form=form, status=400)


@require_POST
def holiday_remove(request: HttpRequest, day: str) -> HttpResponse:
    _require_admin(request)
    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    try:
        version = calendar_holiday_remove(actor=request.user, day=parsed)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hari libur daerah dihapus (kalender versi %(v)s).")
                         % {"v": version.version})
    return HttpResponseRedirect(reverse("sla:calendar"))


def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(calendar_versions(), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sla/history.html", {"page": page})


def _admin_offering(request: HttpRequest, code: str) -> Offering:
    """The offering of a policy page, for a tenant admin only (403 first, then 404)."""
    _require_admin(request)
    try:
        offering = offering_by_code(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not hasattr(offering, "sla_policy"):  # loaded with the offering when it exists
        offering.sla_policy = sla_policy_create_default(offering=offering)
    return offering


def _policy_page(
    request: HttpRequest, offering: Offering, *, form: PolicyForm | None = None,
    steps_form: StepTargetsForm | None = None, status: int = 200,
) -> HttpResponse:
    steps = step_slas(offering=offering)
    return render(request, "sla/policy.html", {
        "offering": offering, "version": offering.service_version,
        "form": form or PolicyForm(initial=PolicyForm.initial_for(offering.sla_policy)),
        "steps_form": steps_form or StepTargetsForm(
            steps=steps, initial=StepTargetsForm.initial_for(steps)
        ),
    }, status=status)


@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, code: str) -> HttpResponse:
    offering = _admin_offering(request, code)
    if request.method == "GET":
        return _policy_page(request, offering)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            sla_policy_update(offering=offering, actor=request.user, **form.changes())
        except ApplicationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Kebijakan SLA %(code)s tersimpan.")
                             % {"code": offering.service_code})
            return HttpResponseRedirect(reverse("sla:calendar"))
    return _policy_page(request, offering, form=form, status=400)


@require_POST
def step_targets(request: HttpRequest, code: str) -> HttpResponse:
    """The SLA of each workflow step of one offering (never above the national maximum)."""
    offering = _admin_offering(request, code)
    form = StepTargetsForm(request.POST, steps=step_slas(offering=offering))
    if form.is_valid():
        try:
            sla_policy_set_step_targets(
                offering=offering, actor=request.user, targets=form.targets()
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("SLA langkah %(code)s tersimpan.")
                             % {"code": offering.service_code})
            return HttpResponseRedirect(reverse("sla:policy", args=[offering.service_code]))
    return _policy_page(request, offering, steps_form=form, status=400)
