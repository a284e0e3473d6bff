"""No overbooking under concurrency: real threads, each with its own database connection,
against committed rows in a throwaway tenant (created and dropped by the test, so the
session tenants are never flushed).

The test is marked ``django_db`` only so that pytest-django sets up the test database; the
main thread's transaction is never used: setup, the bookings and the cleanup all run in
worker threads, each on its own autocommit connection.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context, tenant_context

from tests.threads import in_thread

THROWAWAY_REGION = "35.78"  # Kota Surabaya: not one of the session tenants
SERVICE_CODE = "C-KTP"


def _create() -> Any:
    from feedback.tests.fixtures import make_hall
    from hall.selectors import booking_days, hall_calendar, local_day, slots_for
    from tenants.services import tenant_create_ready

    tenant = tenant_create_ready(region_code=THROWAWAY_REGION)
    hall = make_hall(tenant, tenant_context, code=SERVICE_CODE, capacity=5)
    with tenant_context(tenant):
        calendar = hall_calendar()
        day = next(d for d in booking_days(calendar=calendar) if d > local_day())
        start = slots_for(service_code=hall.offering.service_code, day=day)[0].start
    return tenant, hall, start


def _drop(tenant: Any) -> None:
    from catalog.models import Service, ServiceVersion
    from tenants.models import Tenant

    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant.pk).delete()
        ServiceVersion.objects.filter(service__code=SERVICE_CODE).delete()
        Service.objects.filter(code=SERVICE_CODE).delete()


@pytest.mark.django_db
def test_concurrent_bookings_never_exceed_capacity():
    from hall import services as hs
    from hall.errors import SlotFull
    from hall.models import Ticket

    tenant, hall, start = in_thread(_create)
    try:
        results: list[str] = []
        barrier = threading.Barrier(20)

        def book(n: int) -> None:
            try:
                with tenant_context(tenant):
                    barrier.wait(timeout=30)
                    hs.booking_create(citizen=None, citizen_id=10_000 + n,
                                      service_code=hall.offering.service_code, slot_start=start)
                results.append("ok")
            except SlotFull:
                results.append("full")
            except Exception as exc:
                results.append(f"error: {exc!r}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        def count() -> int:
            with tenant_context(tenant):
                return Ticket.objects.filter(slot_start=start, status="booked").count()

        assert sorted(results) == ["full"] * 15 + ["ok"] * 5
        assert in_thread(count) == 5
    finally:
        in_thread(lambda: _drop(tenant))
