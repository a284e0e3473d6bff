"""Demo content of the hall app (core.discovery `seed_demo_tenant`): a loket per demo OPD
serving its online offerings, so /antrean/ offers services and slots (from the work calendar)
right away. Idempotent: a tenant that has counters is left alone."""

from __future__ import annotations

import logging
from typing import Any

from .models import Counter

logger = logging.getLogger(__name__)

# (counter code, name, demo OPD code of services.seeding)
DEMO_COUNTERS = (
    ("loket-1", "Loket 1 · Disdukcapil", "disdukcapil"),
    ("loket-2", "Loket 2 · DPMPTSP", "dpmptsp"),
)


def seed_demo_tenant(*, tenant: Any) -> None:
    from agencies.models import Agency
    from services.models import Offering

    from .services import counter_save

    if Counter.objects.exists():
        return
    for code, name, agency_code in DEMO_COUNTERS:
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            continue
        services = list(
            Offering.objects.filter(agency=agency, is_enabled=True)
            .order_by("service_code").values_list("service_code", flat=True)
        )
        if not services:
            logger.info("no offerings of %s in %s: no demo counter", agency_code, tenant)
            continue
        counter_save(actor=None, code=code, name=name, agency_id=agency.pk, services=services)


# ---------------------------------------------------------------------------------------------
# Simulated activity (core.discovery `seed_demo_activity`): the past `days` days of the halls'
# queues (bookings and walk-ins, served, no-shows and cancellations), bulk-inserted.
# Deterministic for a given `rng`; a tenant whose queue has simulated tickets is skipped.

ACTIVITY_CODE = "DM"


def seed_demo_activity(*, tenant: Any, days: int, rng: Any) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from agencies.models import StaffRole
    from services.models import Offering

    from .models import Ticket
    from .services import PREFIX_BOOKING, PREFIX_PRIORITY, PREFIX_WALK_IN

    if Ticket.objects.filter(code__startswith=ACTIVITY_CODE).exists():
        return 0
    counters = list(Counter.objects.filter(is_active=True).exclude(services=[]).order_by("pk"))
    staff = list(StaffRole.objects.filter(is_active=True).values_list("user_id", flat=True))
    offerings = {o.service_code: o for o in Offering.objects.filter(is_enabled=True)}
    if not counters or not staff:
        return 0
    from django_tenants.utils import schema_context

    from accounts.models import User
    from accounts.seeding import DEMO_CITIZENS_DOMAIN

    with schema_context("public"):
        citizens = list(User.objects.filter(email__endswith=DEMO_CITIZENS_DOMAIN)
                        .values_list("pk", "full_name"))
    tz = ZoneInfo(tenant.timezone or "Asia/Jakarta")
    today = timezone.now().astimezone(tz).date()
    busy = rng.uniform(4, 12)  # visitors per counter and day
    slowness = rng.uniform(0.7, 1.6)  # how long the waits are
    priorities = [p for p, _label in Ticket.Priority.choices if p]
    tickets: list[Ticket] = []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        numbers = {PREFIX_BOOKING: 0, PREFIX_WALK_IN: 0, PREFIX_PRIORITY: 0}
        serial = 0
        for counter in counters:
            codes = [c for c in counter.services if c in offerings]
            if not codes:
                continue
            for _n in range(max(0, round(rng.gauss(busy, busy / 4)))):
                serial += 1
                offering = offerings[rng.choice(codes)]
                booking = rng.random() < 0.45
                priority = rng.choice(priorities) if rng.random() < 0.08 else ""
                arrival = dt.datetime.combine(day, dt.time(8), tzinfo=tz) + dt.timedelta(
                    minutes=rng.uniform(0, 420))
                citizen_id, name = rng.choice(citizens) if citizens else (None, "Pengunjung")
                ticket = Ticket(
                    kind=Ticket.Kind.BOOKING if booking else Ticket.Kind.WALK_IN,
                    priority=priority, offering=offering, service_code=offering.service_code,
                    agency_id=offering.agency_id, day=day,
                    code=f"{ACTIVITY_CODE}{day:%y%m%d}{counter.pk % 10}{serial:03d}",
                    citizen_id=citizen_id if booking else None, name=name,
                )
                if booking:
                    slot = arrival.replace(minute=0 if arrival.minute < 30 else 30, second=0,
                                           microsecond=0)
                    ticket.slot_counter = counter
                    ticket.slot_start = slot
                    ticket.slot_end = slot + dt.timedelta(minutes=counter.slot_minutes)
                    if rng.random() < 0.07:
                        ticket.status = Ticket.Status.CANCELLED
                        ticket.cancelled_at = slot - dt.timedelta(hours=rng.uniform(2, 48))
                        tickets.append(ticket)
                        continue
                prefix = PREFIX_PRIORITY if priority else (
                    PREFIX_BOOKING if booking else PREFIX_WALK_IN)
                numbers[prefix] += 1
                ticket.prefix, ticket.seq = prefix, numbers[prefix]
                ticket.queued_at = arrival
                wait = rng.expovariate(1 / (900 * slowness * (0.4 if priority else 1)))
                ticket.called_at = arrival + dt.timedelta(seconds=wait)
                ticket.counter = counter
                if rng.random() < 0.06:
                    ticket.status, ticket.recalls = Ticket.Status.NO_SHOW, counter.max_recalls
                    tickets.append(ticket)
                    continue
                service = rng.uniform(240, 1200)
                ticket.status = Ticket.Status.DONE
                ticket.started_at = ticket.called_at + dt.timedelta(seconds=rng.uniform(20, 90))
                ticket.finished_at = ticket.started_at + dt.timedelta(seconds=service)
                ticket.wait_seconds = round((ticket.started_at - arrival).total_seconds())
                ticket.service_seconds = round(service)
                ticket.served_by_id = rng.choice(staff)
                tickets.append(ticket)
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    return len(tickets)
