"""Tracking codes: `<region code without dot>-<service code without hyphens>-<YYMM>-<NNNN>`,
e.g. `3273-KKUBAH-2611-0001`: unique across the platform (the region code is unique per
tenant), readable aloud, with a 4-digit sequence per tenant + service + month.

Allocation (docs/adr/0014): one counter row per prefix (`TrackingCounter`), incremented with
UPDATE … RETURNING inside the submission's transaction. The row lock orders concurrent
submissions of the same tenant, service and month (the second waits for the first to commit
or roll back), so two submissions never get the same number, and a rolled-back submission
gives its number back. The first code of a prefix creates the row with INSERT … ON CONFLICT,
starting after the highest code already issued (codes from before the counters, or seeded);
the unique constraint on `tracking_code` stays the last line of defence. Numbers are not
reused after an application is deleted (gaps are tolerated; codes are never reissued)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr

from .models import Application, TrackingCounter

TRACKING_CODE_RE = re.compile(r"^\d{4}-[A-Z0-9]{1,12}-\d{4}-\d{4,}$")


def service_short_code(service_code: str) -> str:
    return service_code.replace("-", "").upper()


def tracking_prefix(*, region_code: str, service_code: str, when: datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz or "Asia/Jakarta"))
    return f"{region_code.replace('.', '')}-{service_short_code(service_code)}-{local:%y%m}-"


# {table}: the counter table's quoted name from model metadata; values are parameters
_NEXT = "UPDATE {table} SET last = last + 1 WHERE prefix = %s RETURNING last"
_FIRST = """
    INSERT INTO {table} (prefix, last) VALUES (%s, %s + 1)
    ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last
"""
_RAISE = """
    INSERT INTO {table} (prefix, last) VALUES (%s, %s)
    ON CONFLICT (prefix) DO UPDATE SET last = GREATEST({table}.last, EXCLUDED.last)
"""


def _counter_table() -> str:
    return connection.ops.quote_name(TrackingCounter._meta.db_table)


def tracking_code_next(*, service_code: str, when: datetime) -> str:
    """The next code for this tenant, service and month. Call inside a transaction: the
    counter row stays locked until it ends."""
    tenant = connection.tenant
    prefix = tracking_prefix(
        region_code=tenant.region_code, service_code=service_code, when=when,
        tz=getattr(tenant, "timezone", "") or "Asia/Jakarta",
    )
    table = _counter_table()
    with connection.cursor() as cursor:
        cursor.execute(_NEXT.format(table=table), [prefix])
        row = cursor.fetchone()
        if row is None:  # the first code of this prefix (once per service and month)
            cursor.execute(_FIRST.format(table=table), [prefix, _highest_issued(prefix)])
            row = cursor.fetchone()
    return f"{prefix}{row[0]:04d}"


def _highest_issued(prefix: str) -> int:
    """The highest sequence number among this prefix's codes already on applications."""
    last = (
        Application.objects.filter(tracking_code__startswith=prefix)
        .aggregate(n=Max(Cast(Substr("tracking_code", len(prefix) + 1), IntegerField())))["n"]
    )
    return last or 0


def tracking_counters_raise(highest: dict[str, int]) -> None:
    """Make each prefix's counter at least `highest[prefix]` (after codes were written
    without `tracking_code_next`, e.g. the demo seeding), so the next code follows them."""
    if not highest:
        return
    table = _counter_table()
    with connection.cursor() as cursor:
        for prefix, number in sorted(highest.items()):
            cursor.execute(_RAISE.format(table=table), [prefix, number])


def tracking_counters() -> dict[str, int]:
    """{prefix: last number issued} of this tenant."""
    return dict(TrackingCounter.objects.values_list("prefix", "last"))


def normalize_tracking_code(value: str) -> str:
    return re.sub(r"\s+", "", (value or "").upper())
