"""The bench's bulk seeding helpers (bench/seeding.py): COPY writes JSON as the ORM would, the
upsert keeps or replaces rows as asked, and a template row is cloned with its overrides."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bench.seeding import clone_rows, copy_rows


@pytest.mark.django_db
def test_copy_rows_writes_json_and_upserts_through_a_temporary_table(tenant_a):
    from monitoring.models import TenantDailyRollup

    now = timezone.now()
    columns = ["tenant_id", "day", "metric_group", "computed_at", "metrics", "received",
               "sla_compliance_pct"]
    rows = [(tenant_a.pk, date(2026, 1, 1) + timedelta(days=i), "applications", now,
             {"received": i, "by": {"ADM": [i]}}, i, Decimal("99.50")) for i in range(3)]
    assert copy_rows(TenantDailyRollup, columns, rows) == 3
    first = TenantDailyRollup.objects.get(tenant=tenant_a, day=date(2026, 1, 2))
    assert first.metrics == {"received": 1, "by": {"ADM": [1]}}
    assert first.received == 1 and first.sla_compliance_pct == Decimal("99.50")

    again = [(tenant_a.pk, date(2026, 1, 2), "applications", now, {"received": 7}, 7, None),
             (tenant_a.pk, date(2026, 1, 9), "applications", now, {}, 0, None)]
    conflict = ["tenant_id", "metric_group", "day"]
    assert copy_rows(TenantDailyRollup, columns, again, conflict=conflict) == 2
    first.refresh_from_db()
    assert first.received == 1  # kept: no update columns
    assert TenantDailyRollup.objects.filter(tenant=tenant_a).count() == 4
    copy_rows(TenantDailyRollup, columns, again, conflict=conflict, update=columns[3:])
    first.refresh_from_db()
    assert (first.received, first.metrics, first.sla_compliance_pct) == (7, {"received": 7}, None)
    assert TenantDailyRollup.objects.filter(tenant=tenant_a).count() == 4


@pytest.mark.django_db
def test_clone_rows_copies_the_template_with_its_overrides(tenant_a):
    from django_tenants.utils import tenant_context

    from agencies.models import Agency

    with tenant_context(tenant_a):
        template = Agency.objects.create(code="bench-t", name="OPD Template", short_name="T")
        inserted = clone_rows(Agency, template_pk=template.pk, series=(1, 4), overrides={
            "code": "%(prefix)s || g", "name": "t.name || ' ' || (g %% 2)"},
            params={"prefix": "bench-c"})
        assert inserted == 4
        clones = {a.code: a for a in Agency.objects.filter(code__startswith="bench-c")}
        assert sorted(clones) == ["bench-c1", "bench-c2", "bench-c3", "bench-c4"]
        assert clones["bench-c3"].name == "OPD Template 1"
        assert clones["bench-c4"].short_name == "T"
        assert clone_rows(Agency, template_pk=template.pk, series=(5, 4), overrides={}) == 0
