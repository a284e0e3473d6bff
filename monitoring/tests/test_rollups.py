"""Rollup upserts: keyed by (tenant, metric group, day); reruns replace, never add."""

from __future__ import annotations

from django.utils import timezone

from monitoring.models import MetricGroup, TenantDailyRollup
from monitoring.services import RollupRow, rollup_onboarding_all, rollup_upsert


def test_upsert_is_idempotent(tenant_a):
    today = timezone.localdate()
    row = RollupRow(tenant_a.pk, today, MetricGroup.APPLICATIONS, {"received": 3}, {"received": 3})
    rollup_upsert(rows=[row])
    rollup_upsert(rows=[row])
    stored = TenantDailyRollup.objects.get(tenant=tenant_a, day=today, metric_group="applications")
    assert stored.received == 3
    # a recompute replaces the day's figures
    rollup_upsert(rows=[RollupRow(tenant_a.pk, today, MetricGroup.APPLICATIONS,
                                  {"received": 5}, {"received": 5})])
    assert TenantDailyRollup.objects.filter(
        tenant=tenant_a, day=today, metric_group="applications"
    ).count() == 1
    stored.refresh_from_db()
    assert stored.received == 5 and stored.metrics == {"received": 5}


def test_onboarding_rollup_covers_every_registered_tenant(tenant_a, extra_tenants):
    [registered] = extra_tenants(1)
    rollup_onboarding_all()
    rollup_onboarding_all()
    rows = dict(TenantDailyRollup.objects.filter(metric_group="onboarding").values_list(
        "tenant_id", "metrics"))
    assert rows[tenant_a.pk]["progress_pct"] == 100.0  # live
    assert rows[registered.pk]["state"] == "registered"
    assert TenantDailyRollup.objects.filter(metric_group="onboarding",
                                            tenant=tenant_a).count() == 1
