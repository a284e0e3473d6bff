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
