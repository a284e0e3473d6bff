"""Pages of onboarding.

Platform host: registration (+ htmx kab/kota search), email verification, provisioning status,
ministry approval console. Tenant host: the orientation wizard (/kelola/orientasi/, tenant admin)
and staff invitation acceptance (/undangan/<token>/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from agencies.access import tenant_admin_required as _tenant_admin_required
from agencies.models import Agency, StaffRole
from core.context_processors import tenant_url
from core.errors import ApplicationError
from regions import reference

from . import selectors, services
from .forms import (
    AcceptNewAccountForm,
    AgencyForm,
    CounterForm,
    InvitationForm,
    ProfileForm,
    RegistrationForm,
    RejectForm,
)
from .models import Registration

View = Callable[..., HttpResponse]


def _form_error(form: Any, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


# =============================================================================================
# Platform host


def _platform_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if connection.schema_name != "public":
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def ministry_required(view: View) -> View:
    """Ministry users only (403 otherwise); anonymous users go to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if connection.schema_name != "public":
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "ministry_role", ""):
            raise PermissionDenied(_("Halaman ini khusus pengguna kementerian."))
        return view(request, *args, **kwargs)

    return wrapper


def _ministry_admin(request: HttpRequest) -> None:
    if request.user.ministry_role != User.MinistryRole.ADMIN:
        raise PermissionDenied(_("Hanya administrator kementerian yang boleh memutuskan."))


def _selected_regency(code: str | None) -> reference.Regency | None:
    if not code:
        return None
    try:
        return reference.regency(code)
    except ValueError:
        return None


def _register_page(
    request: HttpRequest, form: RegistrationForm, query: str, status: int = 200
) -> HttpResponse:
    return render(
        request, "onboarding/register.html",
        {"form": form, "query": query,
         "results": reference.search_regencies(query, limit=20) if len(query) >= 2 else [],
         "selected": _selected_regency(request.POST.get("region_code"))},
        status=status,
    )


@_platform_only
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Registration form. Without JavaScript the "Cari" button posts the form back with the
    search results (keeping what was typed); with htmx the results load as you type."""
    query = (request.POST.get("regency_query") or "").strip()
    if request.method == "POST" and "search" in request.POST:
        return _register_page(request, RegistrationForm(initial=request.POST.dict()), query)
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                region_code=data["region_code"],
                officer_name=data["officer_name"],
                officer_position=data["officer_position"],
                officer_email=data["officer_email"],
                officer_phone=data["officer_phone"],
                letter=data["letter"],
                password=data["password1"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            return redirect("onboarding:registered", token=registration.token)
    return _register_page(request, form, query, status=400 if request.method == "POST" else 200)


@_platform_only
@require_GET
def regency_search(request: HttpRequest) -> HttpResponse:
    """htmx partial: kab/kota radio options from the national list."""
    query = (request.GET.get("regency_query") or request.GET.get("q") or "").strip()
    results = reference.search_regencies(query, limit=20) if len(query) >= 2 else []
    return render(
        request, "onboarding/_regency_results.html",
        {"results": results, "query": query, "selected": None},
    )


@_platform_only
@require_GET
def registered(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_by_token(token=token)
    return render(request, "onboarding/registered.html", {"registration": registration})


@_platform_only
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = services.registration_verify_email(token=token)
    except ApplicationError as exc:
        return render(request, "onboarding/verify_failed.html", {"message": exc.message},
                      status=400)
    return redirect("onboarding:status", token=registration.token)


@_platform_only
@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = selectors.registration_by_token(token=token)
    except ApplicationError as exc:
        raise Http404 from exc
    registration = services.registration_sync(registration=registration)
    registration = selectors.registration_by_token(token=token)
    steps, phase = selectors.provisioning_steps(registration)
    context = {
        "registration": registration,
        "steps": steps,
        "phase": phase,
        "polling": registration.status in (
            Registration.Status.PROVISIONING, Registration.Status.APPROVED
        ) and phase == "running",
        "wizard_url": tenant_url(registration.tenant.slug, "/kelola/orientasi/")
        if registration.tenant else "",
    }
    template = "onboarding/_status_panel.html" if request.htmx else "onboarding/status.html"
    return render(request, template, context)


@_platform_only
@require_POST
def status_retry(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = selectors.registration_by_token(token=token)
        services.registration_provision_retry(registration=registration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Penyiapan diulang."))
    return redirect("onboarding:status", token=token)


@ministry_required
@require_GET
def ministry_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "onboarding/ministry_list.html",
        {"pending": list(selectors.registration_pending_list()),
         "recent": selectors.registration_recent_list()},
    )


@ministry_required
@require_GET
def ministry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registration = selectors.registration_get(registration_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    progress = None
    if registration.tenant_id:
        progress = selectors.onboarding_progress_of(tenant=registration.tenant)
    return render(
        request, "onboarding/ministry_detail.html",
        {"registration": registration, "reject_form": RejectForm(), "progress": progress,
         "can_decide": request.user.ministry_role == User.MinistryRole.ADMIN},
    )


@ministry_required
@require_GET
def ministry_letter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registration = selectors.registration_get(registration_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    if not registration.letter:
        raise Http404
    try:
        handle = registration.letter.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    filename = f"surat-penunjukan-{registration.region_code.replace('.', '')}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@ministry_required
@require_POST
def ministry_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _ministry_admin(request)
    try:
        registration = services.registration_approve(registration_id=pk, actor=request.user)
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("onboarding:ministry-detail", pk=pk)
    messages.success(
        request, _("%(name)s disetujui; tenant sedang disiapkan.")
        % {"name": registration.regency_name},
    )
    return redirect("onboarding:ministry-detail", pk=pk)


@ministry_required
@require_POST
def ministry_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _ministry_admin(request)
    try:
        registration = selectors.registration_get(registration_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.registration_reject(
                registration_id=pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Pendaftaran %(name)s ditolak.")
                             % {"name": registration.regency_name})
            return redirect("onboarding:ministry-list")
    return render(
        request, "onboarding/ministry_detail.html",
        {"registration": registration, "reject_form": form, "can_decide": True,
         "progress": None},
        status=400,
    )


# =============================================================================================
# Tenant host: wizard (BackOfficeAccessMiddleware already requires a staff role under /kelola/)


tenant_admin_required = _tenant_admin_required(_("Halaman ini khusus admin tenant."))


def _wizard_context(request: HttpRequest, current: str) -> dict[str, Any]:
    steps = selectors.wizard_steps(tenant=request.tenant)
    return {
        "steps": steps,
        "current": current,
        "open_step": selectors.first_open_step(steps),
        "progress": selectors.onboarding_progress_of(tenant=request.tenant),
    }


def _gate(request: HttpRequest, step: str) -> HttpResponse | None:
    steps = selectors.wizard_steps(tenant=request.tenant)
    if selectors.step_is_reachable(steps, step):
        return None
    open_step = selectors.first_open_step(steps)
    label = dict((s.key, s.label) for s in steps)[open_step]
    messages.warning(request, _("Selesaikan langkah \"%(step)s\" terlebih dahulu.") % {"step": label})
    return redirect("onboarding:wizard-step", step=open_step)


@tenant_admin_required
@require_GET
def wizard(request: HttpRequest) -> HttpResponse:
    context = _wizard_context(request, "")
    return render(request, "onboarding/wizard.html", context)


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, step: str) -> HttpResponse:
    handler = _STEP_VIEWS.get(step)
    if handler is None:
        raise Http404
    gated = _gate(request, step)
    if gated is not None:
        return gated
    return handler(request)


def _render_step(request: HttpRequest, step: str, extra: dict[str, Any],
                 status: int = 200) -> HttpResponse:
    context = _wizard_context(request, step)
    context.update(extra)
    return render(request, f"onboarding/step_{step}.html", context, status=status)


def _step_profile(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    progress = selectors.onboarding_progress_of(tenant=tenant)
    derived = reference.timezone_for_province(tenant.province_code or "31")
    initial = {**progress.profile, "timezone": tenant.timezone}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.onboarding_profile_save(
                tenant=tenant, actor=request.user, address=data["address"],
                contact_email=data["contact_email"], contact_phone=data["contact_phone"],
                timezone_name=data["timezone"], logo=data.get("logo"),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Profil daerah disimpan."))
            return redirect("onboarding:wizard-step", step="regions")
    chosen = form.data.get("timezone") if form.is_bound else tenant.timezone
    return _render_step(
        request, "profile",
        {"form": form, "derived_timezone": derived, "timezone_differs": chosen != derived,
         "regency_name": tenant.name},
        status=400 if request.method == "POST" else 200,
    )


def _step_regions(request: HttpRequest) -> HttpResponse:
    from regions.selectors import region_counts

    with_counts = region_counts()
    return _render_step(request, "regions", {"counts": with_counts})


def _step_opd(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None if "suggestion" not in request.POST else None)
    status_code = 200
    if request.method == "POST":
        try:
            if "suggestion" in request.POST:
                agency = services.opd_suggestion_add(
                    key=request.POST["suggestion"], actor=request.user
                )
                messages.success(request, _("OPD %(name)s ditambahkan.") % {"name": agency.name})
                return redirect("onboarding:wizard-step", step="opd")
            if form.is_valid():
                from agencies.services import agency_create

                agency = agency_create(
                    name=form.cleaned_data["name"], short_name=form.cleaned_data["short_name"],
                    actor=request.user,
                )
                messages.success(request, _("OPD %(name)s ditambahkan.") % {"name": agency.name})
                return redirect("onboarding:wizard-step", step="opd")
        except ApplicationError as exc:
            if "suggestion" in request.POST:
                messages.error(request, exc.message)
                return redirect("onboarding:wizard-step", step="opd")
            _form_error(form, exc)
        status_code = 400
    agencies = list(Agency.objects.order_by("name"))
    existing_codes = {a.code for a in agencies}
    suggestions = [
        {"key": key, "name": name, "short_name": short}
        for key, (name, short) in services.OPD_SUGGESTIONS.items()
        if key not in existing_codes
    ]
    return _render_step(
        request, "opd", {"form": form, "agencies": agencies, "suggestions": suggestions},
        status=status_code,
    )


def _step_services(request: HttpRequest) -> HttpResponse:
    available = selectors.services_catalogue_available()
    return _render_step(
        request, "services",
        {"available": available,
         "manage_url": reverse("services:manage") if available else ""},
    )


def _step_staff(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant
    form = InvitationForm(request.POST or None if "skip" not in request.POST else None)
    status_code = 200
    if request.method == "POST":
        if "skip" in request.POST:
            services.onboarding_step_mark(tenant=tenant, step="staff", done=True,
                                          actor=request.user)
            return redirect("onboarding:wizard-step", step="counters")
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    tenant=tenant, email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"], agency=form.cleaned_data["agency"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Undangan dikirim ke %(email)s.")
                                 % {"email": invitation.email})
                return redirect("onboarding:wizard-step", step="staff")
        status_code = 400
    return _render_step(
        request, "staff",
        {"form": form, "invitations": selectors.invitation_list(tenant=tenant),
         "roles": dict(StaffRole.Role.choices)},
        status=status_code,
    )


def _step_counters(request: HttpRequest) -> HttpResponse:
    from hall.models import Counter

    form = CounterForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                counter = services.counter_create(
                    code=form.cleaned_data["code"], name=form.cleaned_data["name"],
                    agency=form.cleaned_data["agency"], actor=request.user,
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Loket %(name)s ditambahkan.")
                                 % {"name": counter.name})
                return redirect("onboarding:wizard-step", step="counters")
        status_code = 400
    counters = list(Counter.objects.select_related("agency").order_by("code"))
    return _render_step(request, "counters", {"form": form, "counters": counters},
                        status=status_code)


def _step_golive(request: HttpRequest) -> HttpResponse:
    missing: list[str] = []
    status_code = 200
    if request.method == "POST":
        try:
            services.onboarding_go_live(tenant=request.tenant, actor=request.user)
        except ApplicationError as exc:
            missing = exc.extra.get("missing", [])
            messages.error(request, exc.message)
            status_code = 409
        else:
            messages.success(request, _("%(name)s sudah aktif. Selamat melayani!")
                             % {"name": request.tenant.name})
            return redirect("onboarding:wizard-step", step="golive")
    return _render_step(request, "golive", {"missing": missing}, status=status_code)


_STEP_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "profile": _step_profile,
    "regions": _step_regions,
    "opd": _step_opd,
    "services": _step_services,
    "staff": _step_staff,
    "counters": _step_counters,
    "golive": _step_golive,
}


# --- invitation acceptance (tenant host, outside /kelola/: the invitee has no role yet) --------


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if connection.schema_name == "public":
        raise Http404
    tenant = request.tenant
    try:
        invitation = services.invitation_for(token=token, tenant=tenant)
    except ApplicationError as exc:
        raise Http404 from exc
    account_exists = User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptNewAccountForm(
        request.POST or None
    ) if not request.user.is_authenticated and not account_exists else None
    error = ""
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(token=token, tenant=tenant, user=request.user)
                return redirect("backoffice-home")
            if form is not None and form.is_valid():
                _inv, user = services.invitation_accept_new_account(
                    token=token, tenant=tenant, full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="accounts.backends.EmailOrPhoneBackend")
                return redirect("backoffice-home")
        except ApplicationError as exc:
            error = exc.message
    return render(
        request, "onboarding/invitation.html",
        {"invitation": invitation, "form": form, "account_exists": account_exists,
         "error": error, "role_label": dict(StaffRole.Role.choices).get(invitation.role, "")},
        status=400 if request.method == "POST" else 200,
    )

