"""The ministry console's weekly SLA trend (monitoring.selectors.attach_trends): weeks start on
Monday, days without SLA decisions are left out, and a week without any is a gap."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from monitoring.models import MetricGroup, TenantDailyRollup
from monitoring.selectors import TREND_WEEKS, attach_trends, tenant_rows


def _day(tenant, day: date, met: int | None, missed: int | None) -> None:
    TenantDailyRollup.objects.create(tenant=tenant, day=day, metric_group=MetricGroup.APPLICATIONS,
                                     met=met, missed=missed, computed_at=timezone.now())


def test_weekly_trend_sums_monday_to_sunday_and_leaves_gaps(tenant_a, tenant_b):
    today = date(2026, 12, 10)  # a Thursday
    this_week = date(2026, 12, 7)
    _day(tenant_a, this_week, 3, 1)  # Monday
    _day(tenant_a, this_week + timedelta(days=2), 1, None)  # Wednesday, no miss recorded
    _day(tenant_a, this_week - timedelta(days=1), 0, 4)  # the Sunday before: last week
    _day(tenant_a, this_week - timedelta(weeks=2), 0, 0)  # nothing decided: a gap
    _day(tenant_a, this_week - timedelta(weeks=TREND_WEEKS), 9, 0)  # before the window
    _day(tenant_b, this_week, 0, 2)  # another tenant's figures stay its own
    rows = {row.id: row for row in tenant_rows(today=today)}
    attach_trends([rows[tenant_a.pk], rows[tenant_b.pk]], today=today)
    trend_a, trend_b = rows[tenant_a.pk].trend, rows[tenant_b.pk].trend
    assert len(trend_a) == TREND_WEEKS
    assert trend_a[-1] == 80.0  # 4 met of 5
    assert trend_a[-2] == 0.0  # Sunday counts in the week before
    assert trend_a[-3] is None
    assert trend_a[:-2] == [None] * (TREND_WEEKS - 2)
    assert trend_b[-1] == 0.0 and trend_b[:-1] == [None] * (TREND_WEEKS - 1)
