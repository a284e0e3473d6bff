"""Demo content of the regions app (core.discovery `seed_demo_tenant`): the demo tenant's
kecamatan and desa/kelurahan from the bundled national reference, so application forms and
the profile can be filled in right away. Idempotent: a tenant that has regions is left alone."""

from __future__ import annotations

import logging
from typing import Any

from .models import District

logger = logging.getLogger(__name__)


def seed_demo_tenant(*, tenant: Any) -> None:
    from .services import RegionImportInvalid, region_import_apply

    if District.objects.exists():
        return
    try:
        region_import_apply(actor=None, source="reference")
    except RegionImportInvalid:  # a regency missing from the reference: nothing to seed
        logger.warning("no reference regions for demo tenant %s", tenant.schema_name)
