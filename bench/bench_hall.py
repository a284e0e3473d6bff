"""Benchmark: ``booking_concurrent_no_overbook`` - 200 concurrent bookings for one 10-place
slot must give exactly 10 bookings.

Runs against the bench database (``bench/__main__.py``) in a dedicated tenant (Kota Tangerang,
36.71, created once). 40 worker threads, each with its own database connection (PostgreSQL's
default max_connections is 100), wait on a barrier and then fire 5 bookings each, 200 in all,
at the same slot. Reports the number that succeeded, the number refused as full, errors and
the wall time.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REGION = "36.71"
SERVICE = "BN-HALL"
BOOKINGS = 200
WORKERS = 40
CAPACITY = 10


def _setup():
    from django_tenants.utils import schema_context, tenant_context

    from agencies.models import Agency
    from agencies.services import agency_create
    from catalog.models import ServiceVersion
    from hall.models import Counter, Ticket
    from hall.selectors import booking_days, hall_calendar, local_day, slots_for
    from hall.services import counter_save
    from services.models import Offering
    from services.services import offering_adopt
    from services.tests.factories import service_version
    from tenants.services import tenant_create_ready

    tenant = tenant_create_ready(region_code=REGION)
    with schema_context("public"):
        version = ServiceVersion.objects.filter(service__code=SERVICE).first()
    if version is None:
        version = service_version(code=SERVICE, category_code="ADM", name="Bench antrean")
    with tenant_context(tenant):
        offering = Offering.objects.filter(service_code=SERVICE).first()
        if offering is None:
            agency = Agency.objects.filter(code="bench-hall").first() or agency_create(
                name="Dinas Bench", short_name="Bench", code="bench-hall")
            offering = offering_adopt(service_version=version, agency=agency, channel="online",
                                      actor=None)
        counter = Counter.objects.filter(code="bench-hall").first()
        counter_save(actor=None, counter=counter, code="bench-hall", name="Loket bench",
                     agency_id=offering.agency_id, services=[SERVICE], slot_minutes=30,
                     capacity_per_slot=CAPACITY)
        day = next(d for d in booking_days(calendar=hall_calendar()) if d > local_day())
        start = slots_for(service_code=SERVICE, day=day)[0].start
        Ticket.objects.filter(service_code=SERVICE).delete()  # idempotent reruns
    return tenant, start


def run() -> list[dict[str, object]]:
    from django.db import connections
    from django_tenants.utils import tenant_context

    from hall.errors import SlotFull
    from hall.models import Ticket
    from hall.services import booking_create

    tenant, start = _setup()
    connections.close_all()
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS + 1)
    per_worker = BOOKINGS // WORKERS

    def worker(index: int) -> None:
        try:
            with tenant_context(tenant):
                barrier.wait(timeout=60)
                for n in range(per_worker):
                    citizen = 1_000_000 + index * per_worker + n
                    try:
                        booking_create(citizen=None, citizen_id=citizen, service_code=SERVICE,
                                       slot_start=start)
                        outcome = "ok"
                    except SlotFull:
                        outcome = "full"
                    except Exception as exc:
                        outcome = f"error:{type(exc).__name__}"
                    with lock:
                        results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    with tenant_context(tenant):
        stored = Ticket.objects.filter(service_code=SERVICE, slot_start=start).count()
    ok = results.count("ok")
    conditions = {
        "bookings": BOOKINGS, "capacity": CAPACITY, "threads": WORKERS,
        "connections": "one per thread", "refused_full": results.count("full"),
        "errors": len([r for r in results if r.startswith("error")]), "rows_in_slot": stored,
        "exactly_capacity": ok == CAPACITY == stored,
    }
    return [
        {"name": "booking_concurrent_no_overbook", "value": ok, "unit": "bookings",
         "conditions": conditions},
        {"name": "booking_concurrent_wall_ms", "value": round(elapsed * 1000, 1), "unit": "ms",
         "conditions": {"bookings": BOOKINGS, "threads": WORKERS}},
    ]


if __name__ == "__main__":  # pragma: no cover
    import json

    from bench.__main__ import _prepare_database

    _prepare_database()
    import django

    django.setup()
    for row in run():
        print(json.dumps(row, ensure_ascii=False))
