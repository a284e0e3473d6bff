"""Pages of the services app: the citizen directory (/layanan/) and the back office
(/kelola/layanan/). Views parse input, call a selector or service and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies.access import require_tenant_admin
from agencies.selectors import is_tenant_admin
from core.errors import ApplicationError, NotFound
from sla.forms import add_service_errors
from sla.selectors import policy_for

from .forms import AdoptForm, AnnouncementForm, OfferingForm, RequirementFormSet
from .models import Announcement, Offering
from .portal_cache import cached_fragment, cached_fragments
from .selectors import (
    adoptable_versions,
    announcement_get,
    announcements_for_manage,
    drift_summary,
    latest_published_version,
    offering_by_code,
    offering_drift,
    offering_workflows,
    offerings_for_manage,
    offerings_for_portal,
    portal_categories,
    unmapped_agency_kinds,
)
from .services import (
    announcement_create,
    announcement_delete,
    announcement_update,
    offering_adopt,
    offering_adopt_version,
    offering_set_enabled,
    offering_update,
)

PORTAL_PAGE_SIZE = 30
MANAGE_PAGE_SIZE = 50
HOME_SEARCH_SIZE = 8
HOME_SEARCH_TARGET = "home-search-results"


def apply_url(code: str) -> str:
    """Where the "Ajukan" button goes (the applications app serves this path)."""
    return f"/permohonan/baru/{code}/"


def _get_offering(code: str, *, enabled_only: bool = False) -> Offering:
    try:
        return offering_by_code(code, enabled_only=enabled_only)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _require_admin(request: HttpRequest) -> None:
    require_tenant_admin(request, _("Hanya admin tenant yang boleh mengubah layanan."))


# --------------------------------------------------------------------------- portal


def _fragment(
    request: HttpRequest, name: str, parts: tuple[object, ...], render_body, *, ttl: int | None = None
) -> str:
    """``render_body()``, cached per tenant, language and ``parts``, for every visitor.

    A fragment is rendered with ``render_to_string`` and no request: no context processor,
    no user, no CSRF token can reach it, so a signed-in visitor's copy is the anonymous one
    (their name and links are in the page around it). Caching it for them too matters: a
    signed-in citizen's home computed the published performance live, ≈ 60 ms a request."""
    if ttl is None:
        return cached_fragment(name, parts, render_body)
    return cached_fragment(name, parts, render_body, ttl=ttl)


def home(request: HttpRequest) -> HttpResponse:
    """The regency portal home: three cached fragments (services.home) and the tracking box."""
    from . import home as portal

    tenant = request.tenant
    today = timezone.localdate()  # the tenant's zone (activated by the routing middleware)
    day = today.isoformat()
    # the three fragments in one cache round trip, rendered without the request (see _fragment)
    body, performance, queue = cached_fragments([
        ("home", (day,), lambda: render_to_string(
            "portal/_home_body.html", portal.home_body_context(tenant=tenant, today=today)
        ), portal.BODY_TTL),
        ("home-performance", (day,), lambda: render_to_string(
            "portal/_home_performance.html",
            portal.home_performance_context(tenant=tenant, today=today),
        ), portal.PERFORMANCE_TTL),
        ("home-queue", (), lambda: render_to_string(
            "portal/_home_queue.html", portal.home_queue_context()
        ), portal.QUEUE_TTL),
    ])
    return render(request, "portal/home.html", {
        "tenant": tenant, "body": body, "performance": performance, "queue": queue,
    })


def home_queue(request: HttpRequest) -> HttpResponse:
    """Today's queue of the home (polled by htmx)."""
    from . import home as portal

    html = _fragment(request, "home-queue", (), lambda: render_to_string(
        "portal/_home_queue.html", portal.home_queue_context()
    ), ttl=portal.QUEUE_TTL)
    return HttpResponse(html)


def _home_search(request: HttpRequest, search: str) -> HttpResponse:
    """The home's instant results: the first matches and a link to the whole list."""

    def render_results() -> str:
        if not search:
            return ""
        matches = offerings_for_portal(search=search, cards_only=True)
        found = list(matches[:HOME_SEARCH_SIZE + 1])
        return render_to_string("services/_search_results.html", {
            "results": found[:HOME_SEARCH_SIZE], "more": len(found) > HOME_SEARCH_SIZE,
            "search": search,
        })

    response = HttpResponse(_fragment(request, "home-search", (search,), render_results))
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def directory(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    wanted_category = request.GET.get("kategori", "")[:20]
    page_number = request.GET.get("page", "")[:10]
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    if partial and htmx.target == HOME_SEARCH_TARGET:
        return _home_search(request, search)

    def render_page(template: str) -> str:
        categories = portal_categories()
        category = wanted_category if wanted_category in {c.code for c in categories} else ""
        page = Paginator(
            offerings_for_portal(search=search, category=category or None, cards_only=True),
            PORTAL_PAGE_SIZE,
        ).get_page(page_number)
        return render_to_string(template, {
            "page": page, "search": search, "category": category, "categories": categories,
            "current_tenant": request.tenant,
        })

    parts = (search, wanted_category, page_number)
    if partial:  # the instant results of the search form (htmx)
        body = _fragment(request, "directory-results", parts,
                         lambda: render_page("services/_directory_results.html"))
        response = HttpResponse(body)
    else:  # the same for every anonymous visitor: cached per tenant, language and query
        body = _fragment(request, "directory", parts,
                         lambda: render_page("services/_directory.html"))
        response = render(request, "services/directory.html", {"body": body})
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def detail(request: HttpRequest, code: str) -> HttpResponse:
    offering = _get_offering(code, enabled_only=True)
    version = offering.service_version
    return render(request, "services/detail.html", {
        "offering": offering,
        "version": version,
        "policy": policy_for(offering=offering),
        "apply_url": apply_url(offering.service_code),
    })


# --------------------------------------------------------------------------- back office


def manage(request: HttpRequest) -> HttpResponse:
    offerings = list(offerings_for_manage())
    rows = [
        {
            "offering": o,
            "drift": offering_drift(o),
            "new_version": bool(
                o.latest_published_number and o.latest_published_number > o.service_version.number
            ),
            "policy": policy_for(offering=o),
        }
        for o in offerings
    ]
    page = Paginator(rows, MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "services/manage.html", {
        "page": page,
        "summary": drift_summary(offerings),
        "is_admin": is_tenant_admin(user=request.user),
    })


@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    versions = adoptable_versions()
    initial = {}
    if request.GET.get("kode"):
        initial["service_version"] = versions.filter(
            service__code=request.GET["kode"].upper()
        ).first()
    form = AdoptForm(request.POST or None, versions=versions, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                offering = offering_adopt(**form.cleaned_data, actor=request.user)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Layanan %(code)s berhasil diadopsi.")
                                 % {"code": offering.service_code})
                return HttpResponseRedirect(reverse("services:edit", args=[offering.service_code]))
    return render(request, "services/adopt.html", {
        "form": form, "has_versions": versions.exists(),
    }, status=status)


def _requirement_initial(offering: Offering) -> list[dict[str, object]]:
    return [dict(item) for item in offering.local_requirements if isinstance(item, dict)]


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    _require_admin(request)
    offering = _get_offering(code)
    form_kwargs = {
        "fee_forbidden": offering.fee_forbidden,
        "fee_basis": offering.service_version.fee_basis,
    }
    status = 200
    if request.method == "POST":
        form = OfferingForm(request.POST, **form_kwargs)
        formset = RequirementFormSet(request.POST, prefix="req")
        status = 400
        if form.is_valid() and formset.is_valid():
            requirements = [
                f.cleaned_item() for f in formset.forms
                if f.has_changed() and not f.cleaned_data.get("DELETE") and f.cleaned_data
            ]
            data = form.cleaned_data
            try:
                offering_update(
                    offering=offering, actor=request.user, agency=data["agency"],
                    channel=data["channel"], external_url=data["external_url"] or "",
                    local_requirements=requirements,
                    local_fee_amount=data["local_fee_amount"] or 0,
                    local_fee_basis=data["local_fee_basis"],
                )
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Perubahan layanan %(code)s tersimpan.")
                                 % {"code": offering.service_code})
                return HttpResponseRedirect(reverse("services:manage"))
    else:
        form = OfferingForm(initial={
            "agency": offering.agency_id, "channel": offering.channel,
            "external_url": offering.external_url, "local_fee_amount": offering.local_fee_amount,
            "local_fee_basis": offering.local_fee_basis,
        }, **form_kwargs)
        formset = RequirementFormSet(initial=_requirement_initial(offering), prefix="req")
    return render(request, "services/edit.html", {
        "offering": offering, "version": offering.service_version, "form": form,
        "formset": formset, "drift": offering_drift(offering),
        "new_version": latest_published_version(offering),
    }, status=status)


@require_POST
def set_enabled(request: HttpRequest, code: str) -> HttpResponse:
    _require_admin(request)
    offering = _get_offering(code)
    enable = request.POST.get("is_enabled") == "1"
    offering_set_enabled(offering=offering, is_enabled=enable, actor=request.user)
    if enable:
        messages.success(request, _("Layanan %(code)s ditampilkan di portal.") % {"code": code})
    else:
        messages.success(request, _("Layanan %(code)s disembunyikan dari portal.") % {"code": code})
    return HttpResponseRedirect(reverse("services:manage"))


@require_http_methods(["GET", "POST"])
def adopt_version(request: HttpRequest, code: str) -> HttpResponse:
    _require_admin(request)
    offering = _get_offering(code)
    new = latest_published_version(offering)
    error = None
    if request.method == "POST" and new is not None:
        try:
            offering_adopt_version(offering=offering, service_version=new, actor=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Layanan %(code)s kini memakai versi %(number)s.")
                             % {"code": offering.service_code, "number": new.number})
            return HttpResponseRedirect(reverse("services:edit", args=[offering.service_code]))
    old = offering.service_version
    changes = []
    if new is not None:
        if (old.sla_value, old.sla_unit) != (new.sla_value, new.sla_unit):
            changes.append(_("Jangka waktu: %(old)s → %(new)s")
                           % {"old": old.sla_display, "new": new.sla_display})
        if old.fee_amount != new.fee_amount or old.fee_forbidden != new.fee_forbidden:
            changes.append(_("Biaya nasional: Rp%(old)s → Rp%(new)s")
                           % {"old": old.fee_amount, "new": new.fee_amount})
        added = new.requirement_codes() - old.requirement_codes()
        removed = old.requirement_codes() - new.requirement_codes()
        for item in new.requirements:
            if isinstance(item, dict) and item.get("code") in added:
                changes.append(_("Persyaratan baru: %(label)s") % {"label": item.get("label")})
        for item in old.requirements:
            if isinstance(item, dict) and item.get("code") in removed:
                changes.append(_("Persyaratan dihapus: %(label)s") % {"label": item.get("label")})
        if old.form_fields != new.form_fields:
            changes.append(_("Isian formulir berubah."))
        if old.procedure != new.procedure:
            changes.append(_("Prosedur berubah."))
    return render(request, "services/adopt_version.html", {
        "offering": offering, "old": old, "new": new, "changes": changes, "error": error,
    }, status=400 if error else 200)


# --------------------------------------------------------------------------- announcements


def _require_announcement_admin(request: HttpRequest) -> None:
    require_tenant_admin(request, _("Hanya admin tenant yang boleh mengelola pengumuman."))


def _get_announcement(pk: int) -> Announcement:
    try:
        return announcement_get(announcement_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def announcements(request: HttpRequest) -> HttpResponse:
    _require_announcement_admin(request)
    page = Paginator(announcements_for_manage(), MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "services/announcements.html", {
        "page": page, "today": timezone.localdate(),
    })


def _announcement_initial(announcement: Announcement) -> dict[str, object]:
    return {
        "title": announcement.title, "body": announcement.body,
        "link_url": announcement.link_url, "is_published": announcement.is_published,
        "starts_on": announcement.starts_on, "ends_on": announcement.ends_on,
    }


@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_announcement_admin(request)
    announcement = _get_announcement(pk) if pk is not None else None
    status = 200
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if announcement is None:
                    announcement_create(actor=request.user, **data)
                else:
                    announcement_update(announcement=announcement, actor=request.user, **data)
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Pengumuman tersimpan."))
                return HttpResponseRedirect(reverse("services:announcements"))
    else:
        initial = _announcement_initial(announcement) if announcement else {}
        form = AnnouncementForm(initial=initial)
    return render(request, "services/announcement_form.html", {
        "form": form, "announcement": announcement,
    }, status=status)


@require_POST
def announcement_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_announcement_admin(request)
    announcement = _get_announcement(pk)
    announcement_delete(announcement=announcement, actor=request.user)
    messages.success(request, _("Pengumuman dihapus."))
    return HttpResponseRedirect(reverse("services:announcements"))


@require_http_methods(["GET", "POST"])
def workflows(request: HttpRequest) -> HttpResponse:
    """The effective workflow of each offering and the mapping of each OPD kind of the
    national workflows to one of the tenant's OPDs (issue 13 item 2; tenant admin writes)."""
    from agencies.models import Agency
    from agencies.selectors import agency_kind_mappings
    from agencies.services import agency_kind_map
    from catalog.workflow import AGENCY_KINDS

    if request.method == "POST":
        _require_admin(request)
        kind = request.POST.get("kind", "")
        raw = request.POST.get("agency", "")
        agency = Agency.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() \
            else None
        if agency is None:
            messages.error(request, _("Pilih OPD untuk jenis ini."))
        else:
            try:
                agency_kind_map(kind=kind, agency=agency, actor=request.user)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Pemetaan OPD disimpan."))
        return HttpResponseRedirect(reverse("services:workflows"))
    mapping = agency_kind_mappings()
    return render(request, "services/workflows.html", {
        "kinds": [{"code": code, "label": label, "agency_id": mapping.get(code)}
                  for code, label in AGENCY_KINDS.items()],
        "agencies": Agency.objects.filter(is_active=True).order_by("name"),
        "offerings": offering_workflows(),
        "unmapped": unmapped_agency_kinds(),
        "is_admin": is_tenant_admin(user=request.user),
    })
