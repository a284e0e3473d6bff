"""Shared fixtures of the hall, feedback and reports tests (imported by their conftests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone


@dataclass
class Hall:
    tenant: Any
    agency: Any
    offering: Any
    counter: Any


def make_hall(tenant, in_tenant, *, code: str = "H-KTP", capacity: int = 2) -> Hall:
    from agencies.services import agency_create
    from hall.services import counter_save
    from services.services import offering_adopt
    from services.tests.factories import service_version

    version = service_version(code=code, category_code="ADM", name=f"Layanan {code}")
    with in_tenant(tenant):
        agency = agency_create(name=f"Dinas Uji {code}", short_name=f"D{code}"[:40])
        offering = offering_adopt(service_version=version, agency=agency, channel="online", actor=None)
        counter = counter_save(
            actor=None, code=f"loket-{code.lower()}", name=f"Loket {code}", agency_id=agency.pk,
            services=[offering.service_code], slot_minutes=30, capacity_per_slot=capacity,
        )
    return Hall(tenant, agency, offering, counter)


@pytest.fixture
def hall_a(tenant_a, in_tenant) -> Hall:
    return make_hall(tenant_a, in_tenant)


@pytest.fixture
def hall_b(tenant_b, in_tenant) -> Hall:
    return make_hall(tenant_b, in_tenant, code="H-KK")


def walk_in_served(hall: Hall, *, officer=None, wait: int = 300, service: int = 600) -> Any:
    """A walk-in ticket issued, called, served and finished, with given wait/service seconds.
    Must run inside the tenant. Returns (ticket, skm_token)."""
    from hall import services as hs
    from hall.models import Ticket

    ticket = hs.walk_in_issue(actor=None, service_code=hall.offering.service_code)
    Ticket.objects.filter(pk=ticket.pk).update(
        queued_at=timezone.now() - timedelta(seconds=wait)
    )
    hs.counter_call_next(actor=officer, counter=hall.counter)
    hs.counter_start(actor=officer, counter=hall.counter)
    Ticket.objects.filter(pk=ticket.pk).update(
        started_at=timezone.now() - timedelta(seconds=service)
    )
    return hs.counter_finish(actor=officer, counter=hall.counter)


def make_application(hall: Hall, *, applicant_id: int, status: str = "completed", **fields: Any):
    """An Application row straight in the table (the applications app's services are not
    needed for reporting tests). Must run inside the tenant."""
    import uuid

    from applications.models import Application

    now = timezone.now()
    values = {
        "tracking_code": f"T-{uuid.uuid4().hex[:10].upper()}", "offering": hall.offering,
        "service_code": hall.offering.service_code,
        "service_version_id": hall.offering.service_version_id, "agency": hall.agency,
        "applicant_id": applicant_id, "status": status,
        "submitted_at": now - timedelta(days=2), "due_at": now + timedelta(days=3),
        "completed_at": now if status == "completed" else None,
    }
    values.update(fields)
    return Application.objects.create(**values)
