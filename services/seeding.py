"""Demo content of the services app (see core.discovery): OPDs and adopted offerings."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import OuterRef, Subquery

from agencies.models import Agency
from agencies.services import agency_create
from catalog.models import ServiceVersion

from .models import Offering
from .services import offering_adopt

logger = logging.getLogger(__name__)

DEMO_AGENCIES = (
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    ("dinkes", "Dinas Kesehatan", "Dinkes"),
)
# Catalogue category -> demo OPD code (adminduk -> Disdukcapil, permits -> DPMPTSP).
CATEGORY_AGENCY = {"ADM": "disdukcapil", "IZN": "dpmptsp", "NON": "dpmptsp"}


def _demo_agencies() -> dict[str, Agency]:
    agencies = {}
    for code, name, short_name in DEMO_AGENCIES:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            agency = agency_create(code=code, name=name, short_name=short_name)
        agencies[code] = agency
    return agencies


def seed_demo_tenant(*, tenant: Any) -> None:
    """Create the demo OPDs if absent and adopt every published catalogue service (latest
    version, channel online). Idempotent; does nothing more when the catalogue is empty."""
    agencies = _demo_agencies()
    latest = ServiceVersion.objects.filter(
        service_id=OuterRef("service_id"), status=ServiceVersion.Status.PUBLISHED
    ).order_by("-number").values("pk")[:1]
    versions = list(
        ServiceVersion.objects.filter(
            status=ServiceVersion.Status.PUBLISHED, service__is_active=True, pk=Subquery(latest)
        ).select_related("service__category").order_by("service__code")
    )
    if not versions:
        logger.info("catalogue empty: no demo offerings for %s", tenant)
        return
    adopted = set(Offering.objects.values_list("service_code", flat=True))
    for version in versions:
        if version.service.code in adopted:
            continue
        agency = agencies[CATEGORY_AGENCY.get(version.service.category.code, "dpmptsp")]
        offering_adopt(service_version=version, agency=agency, channel="online", actor=None)
