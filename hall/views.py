"""Pages of the hall: booking (portal), display board, wait times, counters (back office)."""

from __future__ import annotations

from datetime import date, datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import StaffRole
from core.errors import ApplicationError
from services.models import Offering

from . import services as hall_services
from .forms import CheckInForm, CounterForm, LinkApplicationForm, WalkInForm
from .models import Counter, Ticket
from .selectors import (
    board,
    bookable_service_codes,
    booking_days,
    citizen_tickets,
    counter_current,
    hall_calendar,
    local_day,
    queue_waiting,
    slots_for,
    ticket_get,
    wait_estimates,
)

# --------------------------------------------------------------------------- helpers


def _offering_choices() -> list[tuple[str, str]]:
    codes = bookable_service_codes()
    offerings = (
        Offering.objects.filter(service_code__in=codes, is_enabled=True)
        .select_related("service_version", "agency")
        .order_by("service_code")
    )
    return [(o.service_code, f"{o.service_version.name} ({o.agency})") for o in offerings]


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_start(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def qr_svg(data: str) -> str:
    """Inline SVG of a QR code (segno, no external service)."""
    return segno.make(data, error="m").svg_inline(scale=5, dark="#1a1f2b", light="#ffffff")


def _roles(request: HttpRequest) -> list[StaffRole]:
    return getattr(request, "staff_roles", [])


def _is_admin(request: HttpRequest) -> bool:
    return any(r.role == StaffRole.Role.TENANT_ADMIN for r in _roles(request))


def _require_admin(request: HttpRequest) -> None:
    if not _is_admin(request):
        raise PermissionDenied(_("Hanya admin tenant yang boleh mengubah loket."))


def _counter_for(request: HttpRequest, pk: int) -> Counter:
    counter = get_object_or_404(Counter, pk=pk)
    if _is_admin(request):
        return counter
    agencies = {r.agency_id for r in _roles(request)}
    if counter.agency_id is not None and counter.agency_id not in agencies:
        raise PermissionDenied(_("Loket ini milik OPD lain."))
    return counter


# --------------------------------------------------------------------------- portal


def book(request: HttpRequest) -> HttpResponse:
    """Pick a service, a working day and an open slot; POST books it (login required)."""
    services = _offering_choices()
    calendar = hall_calendar()
    days = booking_days(calendar=calendar)
    service_code = request.POST.get("service_code") or request.GET.get("service_code") or ""
    day = _parse_day(request.POST.get("day") or request.GET.get("day"))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={reverse('hall:book')}")
        start = _parse_start(request.POST.get("slot_start"))
        if start is None:
            messages.error(request, _("Pilih slot waktu."))
        else:
            try:
                ticket = hall_services.booking_create(
                    citizen=request.user, service_code=service_code, slot_start=start
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Reservasi berhasil. Tunjukkan kode QR saat datang."))
                return redirect("hall:ticket", code=ticket.code)
    slots = []
    if service_code and day:
        slots = slots_for(service_code=service_code, day=day, calendar=calendar)
    context = {
        "services": services, "days": days, "service_code": service_code, "day": day,
        "slots": slots, "tz": calendar.tz,
        "mine": citizen_tickets(citizen_id=request.user.pk)[:10]
        if request.user.is_authenticated else [],
    }
    template = "hall/_slots.html" if request.htmx and request.method == "GET" else "hall/book.html"
    return render(request, template, context)


@login_required
def ticket_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ticket = ticket_get(code=code)
    except ApplicationError:
        raise Http404 from None
    if ticket.citizen_id != request.user.pk:
        raise Http404
    return render(request, "hall/ticket.html", {
        "ticket": ticket, "qr": qr_svg(ticket.code), "tz": hall_calendar().tz,
    })


@login_required
@require_POST
def ticket_cancel(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ticket = ticket_get(code=code)
        hall_services.booking_cancel(actor=request.user, ticket=ticket)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reservasi dibatalkan."))
    return redirect("hall:book")


@login_required
def ticket_reschedule(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ticket = ticket_get(code=code)
    except ApplicationError:
        raise Http404 from None
    if ticket.citizen_id != request.user.pk:
        raise Http404
    calendar = hall_calendar()
    day = _parse_day(request.POST.get("day") or request.GET.get("day")) or ticket.day
    if request.method == "POST":
        start = _parse_start(request.POST.get("slot_start"))
        try:
            if start is None:
                raise ApplicationError(_("Pilih slot waktu."))
            hall_services.booking_reschedule(actor=request.user, ticket=ticket, slot_start=start)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Jadwal reservasi diubah."))
            return redirect("hall:ticket", code=ticket.code)
    return render(request, "hall/reschedule.html", {
        "ticket": ticket, "days": booking_days(calendar=calendar), "day": day,
        "slots": slots_for(service_code=ticket.service_code, day=day, calendar=calendar),
        "tz": calendar.tz,
    })


def board_page(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/board.html", {**board(), "tz": hall_calendar().tz})


def board_data(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/_board.html", {**board(), "tz": hall_calendar().tz})


def wait_times(request: HttpRequest) -> HttpResponse:
    names = dict(_offering_choices())
    estimates = {e.service_code: e for e in wait_estimates()}
    rows = [
        {"code": code, "name": name, "estimate": estimates.get(code)} for code, name in names.items()
    ]
    template = "hall/_wait_times.html" if request.htmx else "hall/wait_times.html"
    return render(request, template, {"rows": rows})


# --------------------------------------------------------------------------- back office


def counters(request: HttpRequest) -> HttpResponse:
    items = Counter.objects.select_related("agency").order_by("code")
    return render(request, "hall/counters.html", {"counters": items, "is_admin": _is_admin(request)})


def counter_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    counter = get_object_or_404(Counter, pk=pk) if pk else None
    form = CounterForm(request.POST or None) if request.method == "POST" else (
        CounterForm.for_counter(counter) if counter else CounterForm()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hall_services.counter_save(
                actor=request.user, counter=counter, code=data["code"], name=data["name"],
                agency_id=data["agency"].pk if data["agency"] else None,
                services=data["services"], slot_minutes=data["slot_minutes"],
                capacity_per_slot=data["capacity_per_slot"], max_recalls=data["max_recalls"],
                is_active=data["is_active"],
            )
        except ApplicationError as exc:
            form.add_error("services" if "fields" in exc.extra else None, exc.message)
        except ValidationError as exc:  # full_clean: e.g. a duplicate code
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Loket disimpan."))
            return redirect("hall:counters")
    return render(request, "hall/counter_form.html", {"form": form, "counter": counter})


def counter_console(request: HttpRequest, pk: int) -> HttpResponse:
    counter = _counter_for(request, pk)
    current = counter_current(counter=counter)
    waiting = queue_waiting(service_codes=counter.services).count()
    skm_token = request.session.pop(f"hall-skm-{counter.pk}", None)
    skm_qr = skm_url = None
    if skm_token:
        skm_url = request.build_absolute_uri(reverse("feedback:skm", kwargs={"token": skm_token}))
        skm_qr = qr_svg(skm_url)
    return render(request, "hall/console.html", {
        "counter": counter, "current": current, "waiting": waiting,
        "link_form": LinkApplicationForm(), "skm_qr": skm_qr, "skm_url": skm_url,
        "tz": hall_calendar().tz,
    })


ACTIONS = {
    "panggil": hall_services.counter_call_next,
    "panggil-ulang": hall_services.counter_recall,
    "lewati": hall_services.counter_skip,
    "mulai": hall_services.counter_start,
}


@require_POST
def counter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    counter = _counter_for(request, pk)
    try:
        if action == "selesai":
            ticket, token = hall_services.counter_finish(actor=request.user, counter=counter)
            request.session[f"hall-skm-{counter.pk}"] = token
            messages.success(request, _("Nomor %(n)s selesai dilayani.") % {"n": ticket.number})
        elif action == "tautkan":
            form = LinkApplicationForm(request.POST)
            current = counter_current(counter=counter)
            if not form.is_valid() or current is None:
                raise ApplicationError(_("Isi kode lacak saat ada nomor yang sedang dilayani."))
            hall_services.ticket_link_application(
                actor=request.user, ticket=current, tracking_code=form.cleaned_data["tracking_code"]
            )
            messages.success(request, _("Tiket ditautkan ke permohonan."))
        elif action in ACTIONS:
            ticket = ACTIONS[action](actor=request.user, counter=counter)
            messages.info(request, _("Nomor %(n)s: %(s)s.") % {
                "n": ticket.number, "s": ticket.get_status_display().lower()
            })
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("hall:counter-console", pk=counter.pk)


def front_desk(request: HttpRequest) -> HttpResponse:
    services = _offering_choices()
    check_in = CheckInForm(request.POST if request.POST.get("form") == "checkin" else None)
    walk_in = WalkInForm(
        request.POST if request.POST.get("form") == "walkin" else None, services=services
    )
    issued: Ticket | None = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "checkin" and check_in.is_valid():
                issued = hall_services.ticket_check_in(
                    actor=request.user, code=check_in.cleaned_data["code"],
                    priority=check_in.cleaned_data["priority"],
                )
                check_in = CheckInForm()
            elif request.POST.get("form") == "walkin" and walk_in.is_valid():
                issued = hall_services.walk_in_issue(
                    actor=request.user, service_code=walk_in.cleaned_data["service_code"],
                    priority=walk_in.cleaned_data["priority"], name=walk_in.cleaned_data["name"],
                )
                walk_in = WalkInForm(services=services)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "hall/front_desk.html", {
        "check_in": check_in, "walk_in": walk_in, "issued": issued, "today": local_day(),
    })
