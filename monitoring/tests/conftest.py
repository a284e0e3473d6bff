"""Fixtures of the monitoring tests: ministry users and rollup rows (public schema)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def ministry_user(user_factory):
    return user_factory(ministry_role="viewer", email="pemantau@menpan.go.id")


@pytest.fixture
def ministry_client(platform_client, ministry_user):
    platform_client.force_login(ministry_user)
    return platform_client


@pytest.fixture
def make_rollups():
    """`make_rollups(tenant, days=10, received=5, met=4, missed=1)`: one row per day."""
    from monitoring.models import MetricGroup
    from monitoring.services import RollupRow, rollup_upsert

    def _make(tenant, *, days=10, received=5, met=4, missed=1, breached=2, live=3, progress=None):
        today = timezone.localdate()
        rows = []
        for offset in range(days):
            day = today - timedelta(days=offset)
            pct = (Decimal(met * 100) / Decimal(met + missed)).quantize(Decimal("0.01")) \
                if met + missed else None
            typed = {
                "received": received, "decided": met + missed, "completed": 0, "met": met,
                "missed": missed, "new_breaches": missed, "open": 10, "at_risk": 1,
                "breached": breached, "sla_compliance_pct": pct,
                "median_processing_hours": Decimal("12.50"),
            }
            metrics = {**{k: (float(v) if isinstance(v, Decimal) else v)
                          for k, v in typed.items()}, "live_services": live, "by_category": {
                "ADM": {"received": received, "decided": met + missed, "met": met,
                        "missed": missed, "new_breaches": missed, "completed": 0}}}
            rows.append(RollupRow(tenant.pk, day, MetricGroup.APPLICATIONS, metrics, typed))
        if progress is not None:
            rows.append(RollupRow(tenant.pk, today, MetricGroup.ONBOARDING,
                                  {"progress_pct": progress, "state": tenant.state}))
        rollup_upsert(rows=rows)
        return rows

    return _make


@pytest.fixture
def extra_tenants(db):
    """`extra_tenants(n)`: registered tenant rows without schemas (as the console lists)."""
    from django_tenants.utils import schema_context

    from regions import reference
    from tenants.models import Tenant

    def _make(count):
        used = set(Tenant.objects.values_list("region_code", flat=True))
        created = []
        with schema_context("public"):
            for regency in reference.regencies():
                if len(created) >= count:
                    break
                if regency.code in used:
                    continue
                slug = f"t-{regency.code.replace('.', '-')}"
                created.append(Tenant.objects.create(
                    schema_name=slug.replace("-", "_"), slug=slug, name=regency.name,
                    region_code=regency.code, kind="kabupaten",
                    province_code=regency.province_code, state="registered",
                ))
        return created

    return _make
