"""The dashboard's sections on the side connection (core.concurrency, docs/adr/0017): the
same figures as inline, read in the caller's tenant schema (also when the next job is for
another tenant), inline inside a transaction, errors re-raised.

Committed rows are needed (another connection cannot see a test transaction), so the test
runs in a thread on its own autocommit connection against a throwaway tenant it creates and
drops, as hall/tests/test_concurrency.py does; the session tenants are only read.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation
from django_tenants.utils import schema_context, tenant_context

from core.concurrency import beside
from tests.threads import in_thread

THROWAWAY_REGION = "35.73"  # Kota Malang: not used by any other test
SERVICE_CODE = "BS-KTP"
TZ = "Asia/Jakarta"


def _seed(tenant: Any) -> Any:
    from accounts.models import User
    from feedback.models import SkmResponse
    from feedback.questionnaire import UNSUR_CODES
    from feedback.tests.fixtures import make_application, make_hall, walk_in_served

    hall = make_hall(tenant, tenant_context, code=SERVICE_CODE)
    user = User.objects.create_user(email="beside@example.id", password="beside-only-123",
                                    full_name="Warga Beside")
    with tenant_context(tenant):
        for n in range(6):
            make_application(hall, applicant_id=user.pk,
                             status=("completed", "in_process", "rejected")[n % 3])
        walk_in_served(hall, wait=240, service=500)
        now = dt.datetime.now(dt.UTC)
        SkmResponse.objects.bulk_create([
            SkmResponse(source="ticket", source_id=900 + n, channel="counter",
                        service_code=SERVICE_CODE, agency=hall.agency,
                        invited_at=now - dt.timedelta(days=n), submitted_at=now,
                        **dict.fromkeys(UNSUR_CODES, 3))
            for n in range(4)
        ])
    return user


def _drop(tenant: Any, user: Any) -> None:
    from catalog.models import Service, ServiceVersion
    from tenants.models import Tenant

    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant.pk).delete()
        ServiceVersion.objects.filter(service__code=SERVICE_CODE).delete()
        Service.objects.filter(code=SERVICE_CODE).delete()
        if user is not None:
            user.delete()


def _board(period: Any, *, inline: bool) -> Any:
    from reports.selectors import dashboard

    if not inline:
        return dashboard(period=period, tz=TZ, detail=False)
    os.environ["MPP_BESIDE"] = "0"
    try:
        return dashboard(period=period, tz=TZ, detail=False)
    finally:
        del os.environ["MPP_BESIDE"]


def _scenario() -> dict[str, Any]:
    from feedback.selectors import Period
    from tenants.models import Tenant
    from tenants.services import tenant_create_ready

    tenant, user = tenant_create_ready(region_code=THROWAWAY_REGION), None
    try:
        user = _seed(tenant)
        today = dt.datetime.now(dt.UTC).date()
        period = Period(today - dt.timedelta(days=30), today + dt.timedelta(days=1))
        out: dict[str, Any] = {}
        with tenant_context(tenant):
            out["inline"] = _board(period, inline=True)
            out["side"] = _board(period, inline=False)
            with translation.override("en"), timezone.override("Asia/Makassar"):
                out["where"] = beside(lambda: (
                    threading.current_thread().name, connection.schema_name,
                    translation.get_language(), str(timezone.get_current_timezone()))).result()
        with schema_context("public"):
            other = Tenant.objects.exclude(pk=tenant.pk).exclude(schema_name="public").first()
        with tenant_context(other):  # the same side connection, the next job another tenant's
            out["other_where"] = beside(lambda: connection.schema_name).result()
            out["other_side"] = _board(period, inline=False)
            out["other_inline"] = _board(period, inline=True)
            with transaction.atomic():
                out["atomic_where"] = beside(lambda: threading.current_thread().name).result()
            out["nested_where"] = beside(  # a side job's own beside() runs in it, inline
                lambda: beside(lambda: threading.current_thread().name).result()).result()
            try:
                beside(lambda: 1 // 0).result()
            except ZeroDivisionError:
                out["raised"] = True
        out["schemas"] = (tenant.schema_name, other.schema_name)
        return out
    finally:
        _drop(tenant, user)


@pytest.mark.django_db
def test_side_sections_equal_inline_in_the_callers_tenant():
    out = in_thread(_scenario)
    schema, other_schema = out["schemas"]
    inline, side = out["inline"], out["side"]
    assert side == inline
    assert inline.totals["received"] == 6 and inline.queue_totals["served"] == 1
    assert inline.ikm.respondents == 4 and inline.by_step is not None
    name, where, language, zone = out["where"]
    assert name.startswith("mpp-beside") and where == schema
    assert (language, zone) == ("en", "Asia/Makassar")  # the caller's, carried over
    # isolation: the next job on the side connection reads the other tenant, none of ours
    assert out["other_where"] == other_schema
    assert out["other_side"] == out["other_inline"]
    assert SERVICE_CODE not in out["other_side"].ikm_by_service
    assert SERVICE_CODE not in {row["service_code"] for row in out["other_side"].by_service}
    assert not out["atomic_where"].startswith("mpp-beside")  # inline in a transaction
    assert out["nested_where"].startswith("mpp-beside")
    assert out["raised"]
