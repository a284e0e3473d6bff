"""Tracking codes: `<region code without dot>-<service code without hyphens>-<YYMM>-<NNNN>`,
e.g. `3273-KKUBAH-2611-0001`: unique across the platform (the region code is unique per
tenant), readable aloud, with a 4-digit sequence per tenant + service + month.

Concurrency: the next number is taken under a transaction-scoped PostgreSQL advisory lock on
(schema, prefix), so two submissions in the same month never get the same number; the unique
constraint on `tracking_code` is the last line of defence."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr

from .models import Application

TRACKING_CODE_RE = re.compile(r"^\d{4}-[A-Z0-9]{1,12}-\d{4}-\d{4,}$")


def service_short_code(service_code: str) -> str:
    return service_code.replace("-", "").upper()


def tracking_prefix(*, region_code: str, service_code: str, when: datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz or "Asia/Jakarta"))
    return f"{region_code.replace('.', '')}-{service_short_code(service_code)}-{local:%y%m}-"


def _lock_key(prefix: str) -> int:
    digest = hashlib.blake2b(f"{connection.schema_name}:{prefix}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def tracking_code_next(*, service_code: str, when: datetime) -> str:
    """The next code for this tenant, service and month. Call inside a transaction."""
    tenant = connection.tenant
    prefix = tracking_prefix(
        region_code=tenant.region_code, service_code=service_code, when=when,
        tz=getattr(tenant, "timezone", "") or "Asia/Jakarta",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(prefix)])
    last = (
        Application.objects.filter(tracking_code__startswith=prefix)
        .aggregate(n=Max(Cast(Substr("tracking_code", len(prefix) + 1), IntegerField())))["n"]
    )
    return f"{prefix}{(last or 0) + 1:04d}"


def normalize_tracking_code(value: str) -> str:
    return re.sub(r"\s+", "", (value or "").upper())
