"""Writes of the hall app: counters, bookings (no overbooking), walk-ins, the counter flow.

Concurrency rules:

* **Bookings** lock the counter row (``SELECT … FOR UPDATE``) before counting the slot's
  holding tickets and inserting, in one transaction: concurrent bookings of one counter are
  serialised, so a slot never exceeds ``capacity_per_slot`` (``tests`` and
  ``bench/bench_hall.py`` run 200 concurrent bookings against a 10-place slot).
* **Queue numbers** (``A001``, ``B001``, ``P001`` per day) are allocated under a
  transaction-level advisory lock keyed on (schema, day, prefix).
* **Call next** takes the first waiting ticket with ``FOR UPDATE SKIP LOCKED``, so two
  counters never call the same ticket.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from core.errors import NotFound, PermissionDenied
from services.models import Offering

from .errors import (
    CounterBusy,
    InvalidCounter,
    InvalidTicketState,
    QueueEmpty,
    SlotFull,
    SlotUnavailable,
)
from .models import Counter, Ticket
from .selectors import HOLDING, counter_current, counter_slot_starts, hall_calendar, local_day

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
PREFIX_BOOKING, PREFIX_WALK_IN, PREFIX_PRIORITY = "B", "A", "P"


def _new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _unique_code() -> str:
    while True:
        code = _new_code()
        if not Ticket.objects.filter(code=code).exists():
            return code


def _seconds(later: datetime | None, earlier: datetime | None) -> int | None:
    if later is None or earlier is None:
        return None
    return max(int((later - earlier).total_seconds()), 0)


# --------------------------------------------------------------------------- counters


def _clean_services(services: Any) -> list[str]:
    if isinstance(services, str):
        services = [s for s in (part.strip() for part in services.replace("\n", ",").split(",")) if s]
    if not isinstance(services, list | tuple):
        raise InvalidCounter(_("Daftar layanan loket tidak valid."))
    codes = sorted({str(code).strip() for code in services if str(code).strip()})
    known = set(Offering.objects.filter(service_code__in=codes).values_list("service_code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidCounter(
            _("Kode layanan tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)},
            extra={"fields": {"services": [", ".join(unknown)]}},
        )
    return codes


@transaction.atomic
def counter_save(
    *, actor: AbstractBaseUser | None, counter: Counter | None = None, code: str, name: str,
    agency_id: int | None = None, services: Any = (), slot_minutes: int = 30,
    capacity_per_slot: int = 4, max_recalls: int = 3, is_active: bool = True,
) -> Counter:
    """Create or update a counter (tenant admin)."""
    counter = counter or Counter()
    before = snapshot(counter, COUNTER_AUDIT_FIELDS) if counter.pk else {}
    counter.code = code
    counter.name = name
    counter.agency_id = agency_id
    counter.services = _clean_services(list(services) if not isinstance(services, str) else services)
    counter.slot_minutes = slot_minutes
    counter.capacity_per_slot = capacity_per_slot
    counter.max_recalls = max_recalls
    counter.is_active = is_active
    counter.full_clean()
    counter.save()
    audit_record("counter.save", actor=actor, target=counter,
                 changes=diff(before, snapshot(counter, COUNTER_AUDIT_FIELDS)))
    return counter


COUNTER_AUDIT_FIELDS = (
    "code", "name", "agency_id", "services", "slot_minutes", "capacity_per_slot", "max_recalls",
    "is_active",
)


# --------------------------------------------------------------------------- bookings


def _offering(service_code: str) -> Offering:
    offering = Offering.objects.filter(service_code=service_code, is_enabled=True).first()
    if offering is None:
        raise NotFound(_("Layanan tidak ditemukan."))
    return offering


def _reserve(
    *, offering: Offering, slot_start: datetime, citizen_id: int | None, exclude_id: int | None = None
) -> tuple[Counter, datetime]:
    """Pick a counter with room in the slot starting at ``slot_start`` and lock it. Must run
    inside a transaction. Returns (counter, slot_end)."""
    now = timezone.now()
    if slot_start <= now:
        raise SlotUnavailable(_("Slot itu sudah lewat; pilih slot lain."))
    calendar = hall_calendar()
    day = slot_start.astimezone(calendar.tz).date()
    candidates = []
    for counter in Counter.objects.filter(
        is_active=True, services__contains=[offering.service_code]
    ).order_by("code"):
        for start, end in counter_slot_starts(counter=counter, day=day, calendar=calendar):
            if start == slot_start:
                candidates.append((counter.pk, end))
    if not candidates:
        raise SlotUnavailable(_("Slot itu tidak tersedia (di luar jam layanan atau hari libur)."))
    for counter_id, end in candidates:
        # The lock: every booking of this counter waits here, then counts committed rows.
        counter = Counter.objects.select_for_update().get(pk=counter_id)
        holding = Ticket.objects.filter(
            kind=Ticket.Kind.BOOKING, slot_counter=counter, slot_start=slot_start,
            status__in=HOLDING,
        )
        if exclude_id:
            holding = holding.exclude(pk=exclude_id)
        if citizen_id is not None and holding.filter(citizen_id=citizen_id).exists():
            raise SlotUnavailable(_("Anda sudah memesan slot ini."))
        if holding.count() < counter.capacity_per_slot:
            return counter, end
    raise SlotFull(_("Slot itu sudah penuh; pilih slot lain."))


def _slot_day(slot_start: datetime) -> Any:
    return local_day(slot_start)


@transaction.atomic
def booking_create(
    *, citizen: AbstractBaseUser | None, service_code: str, slot_start: datetime,
    citizen_id: int | None = None, name: str = "",
) -> Ticket:
    """Book a place in a slot; raises SlotFull when no counter has room (never overbooks)."""
    offering = _offering(service_code)
    citizen_id = citizen.pk if citizen is not None else citizen_id
    if citizen_id is not None and Ticket.objects.filter(
        citizen_id=citizen_id, kind=Ticket.Kind.BOOKING, status=Ticket.Status.BOOKED,
        service_code=offering.service_code, day=_slot_day(slot_start),
    ).exists():
        raise SlotUnavailable(_("Anda sudah punya reservasi layanan ini pada tanggal itu."))
    counter, slot_end = _reserve(offering=offering, slot_start=slot_start, citizen_id=citizen_id)
    return Ticket.objects.create(
        kind=Ticket.Kind.BOOKING, status=Ticket.Status.BOOKED, offering=offering,
        service_code=offering.service_code, agency_id=offering.agency_id, slot_counter=counter,
        day=_slot_day(slot_start), slot_start=slot_start, slot_end=slot_end,
        code=_unique_code(), citizen_id=citizen_id,
        name=name or (getattr(citizen, "full_name", "") if citizen is not None else ""),
    )


def _own_booking(ticket: Ticket, actor: AbstractBaseUser | None) -> None:
    if ticket.kind != Ticket.Kind.BOOKING:
        raise InvalidTicketState(_("Tiket ini bukan reservasi."))
    if actor is None or ticket.citizen_id != actor.pk:
        raise PermissionDenied(_("Reservasi ini bukan milik Anda."))
    if ticket.status != Ticket.Status.BOOKED:
        raise InvalidTicketState(_("Reservasi ini tidak dapat diubah lagi."))


@transaction.atomic
def booking_cancel(*, actor: AbstractBaseUser | None, ticket: Ticket) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _own_booking(ticket, actor)
    ticket.status = Ticket.Status.CANCELLED
    ticket.cancelled_at = timezone.now()
    ticket.save(update_fields=["status", "cancelled_at"])
    return ticket


@transaction.atomic
def booking_reschedule(
    *, actor: AbstractBaseUser | None, ticket: Ticket, slot_start: datetime
) -> Ticket:
    """Move a booking to another slot of the same service (same capacity rule)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _own_booking(ticket, actor)
    counter, slot_end = _reserve(
        offering=ticket.offering, slot_start=slot_start, citizen_id=ticket.citizen_id,
        exclude_id=ticket.pk,
    )
    ticket.slot_counter = counter
    ticket.slot_start = slot_start
    ticket.slot_end = slot_end
    old_day, ticket.day = ticket.day, _slot_day(slot_start)
    ticket.save(update_fields=["slot_counter", "slot_start", "slot_end", "day"])
    if ticket.day != old_day:
        from .hooks import ticket_day_changed

        ticket_day_changed(ticket_id=ticket.pk, old_day=old_day, new_day=ticket.day)
    return ticket


# --------------------------------------------------------------------------- queue


def _assign_number(ticket: Ticket) -> None:
    """Queue number of the day under an advisory lock on (schema, day, prefix)."""
    prefix = PREFIX_PRIORITY if ticket.priority else (
        PREFIX_BOOKING if ticket.kind == Ticket.Kind.BOOKING else PREFIX_WALK_IN
    )
    key = f"hall:{connection.schema_name}:{ticket.day.isoformat()}:{prefix}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
    last = (
        Ticket.objects.filter(day=ticket.day, prefix=prefix, seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    ticket.prefix = prefix
    ticket.seq = (last or 0) + 1


@transaction.atomic
def ticket_check_in(
    *, actor: AbstractBaseUser | None, code: str, priority: str = ""
) -> Ticket:
    """A booking arrives (code typed or QR scanned): it joins today's queue."""
    ticket = Ticket.objects.select_for_update().filter(code=code.strip().upper()).first()
    if ticket is None or ticket.kind != Ticket.Kind.BOOKING:
        raise NotFound(_("Reservasi dengan kode itu tidak ditemukan."))
    if ticket.status != Ticket.Status.BOOKED:
        raise InvalidTicketState(
            _("Reservasi ini sudah %(status)s.") % {"status": ticket.get_status_display().lower()}
        )
    today = local_day()
    if ticket.day != today:
        raise InvalidTicketState(
            _("Reservasi ini untuk tanggal %(day)s, bukan hari ini.")
            % {"day": ticket.day.strftime("%d-%m-%Y")}
        )
    if priority:
        ticket.priority = Ticket.Priority(priority)
    ticket.status = Ticket.Status.WAITING
    ticket.queued_at = timezone.now()
    _assign_number(ticket)
    ticket.save(update_fields=["status", "queued_at", "priority", "prefix", "seq"])
    return ticket


@transaction.atomic
def walk_in_issue(
    *, actor: AbstractBaseUser | None, service_code: str, priority: str = "", name: str = "",
    citizen_id: int | None = None,
) -> Ticket:
    """A ticket from the front-desk screen; joins the queue at once."""
    offering = _offering(service_code)
    now = timezone.now()
    ticket = Ticket(
        kind=Ticket.Kind.WALK_IN, status=Ticket.Status.WAITING, offering=offering,
        service_code=offering.service_code, agency_id=offering.agency_id,
        day=local_day(now), code=_unique_code(), priority=Ticket.Priority(priority),
        name=name, citizen_id=citizen_id, queued_at=now,
    )
    _assign_number(ticket)
    ticket.save()
    return ticket


def queue_order(now: datetime) -> Case:
    """0 = priority lane, 1 = booking whose slot has started, 2 = everyone else."""
    return Case(
        When(~Q(priority=""), then=Value(0)),
        When(kind=Ticket.Kind.BOOKING, slot_start__lte=now, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


@transaction.atomic
def counter_call_next(*, actor: AbstractBaseUser | None, counter: Counter) -> Ticket:
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    current = counter_current(counter=counter)
    if current is not None:
        raise CounterBusy(
            _("Loket masih menangani nomor %(number)s.") % {"number": current.number}
        )
    now = timezone.now()
    ticket = (
        Ticket.objects.filter(
            status=Ticket.Status.WAITING, service_code__in=counter.services,
            day=local_day(now),
        )
        .annotate(lane=queue_order(now))
        .order_by("lane", "queued_at", "id")
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )
    if ticket is None:
        raise QueueEmpty(_("Tidak ada antrean untuk loket ini."))
    ticket.status = Ticket.Status.CALLED
    ticket.counter = counter
    if ticket.called_at is None:
        ticket.wait_seconds = _seconds(now, ticket.queued_at)
    ticket.called_at = now
    ticket.save(update_fields=["status", "counter", "called_at", "wait_seconds"])
    return ticket


def _current(counter: Counter, *statuses: str) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update()
        .filter(counter=counter, status__in=statuses or (Ticket.Status.CALLED, Ticket.Status.SERVING))
        .order_by("-called_at")
        .first()
    )
    if ticket is None:
        raise InvalidTicketState(_("Tidak ada nomor yang sedang dipanggil di loket ini."))
    return ticket


@transaction.atomic
def counter_recall(*, actor: AbstractBaseUser | None, counter: Counter) -> Ticket:
    """Call the current number again; after ``max_recalls`` recalls it becomes a no-show."""
    ticket = _current(counter, Ticket.Status.CALLED)
    ticket.recalls += 1
    ticket.called_at = timezone.now()
    if ticket.recalls > counter.max_recalls:
        ticket.status = Ticket.Status.NO_SHOW
    ticket.save(update_fields=["recalls", "called_at", "status"])
    return ticket


@transaction.atomic
def counter_skip(*, actor: AbstractBaseUser | None, counter: Counter) -> Ticket:
    """Not here: a no-show once recalled ``max_recalls`` times, otherwise back to the end of
    the queue (keeps its number)."""
    ticket = _current(counter, Ticket.Status.CALLED)
    if ticket.recalls >= counter.max_recalls:
        ticket.status = Ticket.Status.NO_SHOW
        ticket.save(update_fields=["status"])
        return ticket
    ticket.status = Ticket.Status.WAITING
    ticket.recalls += 1
    ticket.queued_at = timezone.now()
    ticket.counter = None
    ticket.save(update_fields=["status", "recalls", "queued_at", "counter"])
    return ticket


@transaction.atomic
def counter_start(*, actor: AbstractBaseUser | None, counter: Counter) -> Ticket:
    ticket = _current(counter, Ticket.Status.CALLED)
    ticket.status = Ticket.Status.SERVING
    ticket.started_at = timezone.now()
    ticket.served_by_id = actor.pk if actor is not None else None
    ticket.save(update_fields=["status", "started_at", "served_by"])
    return ticket


@transaction.atomic
def counter_finish(*, actor: AbstractBaseUser | None, counter: Counter) -> tuple[Ticket, str]:
    """Service done: records the service time and invites the citizen to the SKM (QR at the
    counter). Returns the ticket and the SKM link token."""
    from .hooks import ticket_finished

    ticket = _current(counter, Ticket.Status.SERVING)
    ticket.status = Ticket.Status.DONE
    ticket.finished_at = timezone.now()
    ticket.service_seconds = _seconds(ticket.finished_at, ticket.started_at)
    ticket.save(update_fields=["status", "finished_at", "service_seconds"])
    # feedback invites the citizen to the SKM and returns the link token (feedback.hall_hooks)
    return ticket, ticket_finished(ticket_id=ticket.pk, counter_id=counter.pk)


@transaction.atomic
def ticket_link_application(
    *, actor: AbstractBaseUser | None, ticket: Ticket, tracking_code: str
) -> Ticket:
    """Link a ticket to the application it was about (tracking code of applications)."""
    try:
        from applications.models import Application
    except ImportError:  # pragma: no cover - applications app not installed yet
        raise NotFound(_("Modul permohonan belum tersedia.")) from None
    application = Application.objects.filter(tracking_code=tracking_code.strip()).first()
    if application is None:
        raise NotFound(_("Permohonan dengan kode lacak itu tidak ditemukan."))
    ticket.application_id = application.pk
    ticket.save(update_fields=["application_id"])
    return ticket
