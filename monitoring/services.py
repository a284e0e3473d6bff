"""Writes of the monitoring app: rollup upserts and the sweep run log (public schema).

Rollup rows are recomputed, then upserted on (tenant, metric_group, day): a rerun replaces
the figures of that day, it never adds to them (see monitoring/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from .figures import (
    applications_figures,
    breach_list,
    onboarding_figures,
    services_figures,
    steps_figures,
)
from .models import (
    FiguresVersion,
    MetricGroup,
    SweepRun,
    TenantDailyRollup,
    TenantSweepResult,
)

logger = logging.getLogger(__name__)

TYPED_FIELDS = (
    "received", "decided", "completed", "met", "missed", "new_breaches",
    "open", "at_risk", "breached", "sla_compliance_pct", "median_processing_hours",
)


@dataclass
class RollupRow:
    tenant_id: int
    day: date
    metric_group: str
    metrics: dict[str, Any]
    typed: dict[str, int | Decimal | None] = field(default_factory=dict)


def rollup_upsert(*, rows: Sequence[RollupRow], computed_at: datetime | None = None) -> int:
    """Insert or replace rollup rows in one statement (public schema). Returns the count."""
    if not rows:
        return 0
    computed_at = computed_at or timezone.now()
    objs = [
        TenantDailyRollup(
            tenant_id=row.tenant_id, day=row.day, metric_group=row.metric_group,
            metrics=row.metrics, computed_at=computed_at,
            **{name: row.typed.get(name) for name in TYPED_FIELDS},
        )
        for row in rows
    ]
    with schema_context("public"), transaction.atomic():
        TenantDailyRollup.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["tenant", "metric_group", "day"],
            update_fields=["metrics", "computed_at", *TYPED_FIELDS],
            batch_size=1000,
        )
        _figures_changed()
    return len(objs)


_BUMP_SQL = (
    "INSERT INTO {table} (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = {table}.value + 1"
)


def _figures_changed() -> None:
    """Raise the figures' version in the caller's transaction (public schema), so that a
    reader sees it move exactly when it sees the new rows (ADR 0016). The row lock lasts only
    until that transaction commits: the writers keep their transactions short."""
    table = connection.ops.quote_name(FiguresVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL.format(table=table))


def rollup_tenant(
    *, tenant_id: int, tz_name: str, days: Iterable[date] | None = None,
    now: datetime | None = None,
) -> int:
    """Recompute and upsert this tenant's "applications", "steps", "services" and "breaches"
    rows.

    Must run in the tenant's schema (the sweep task, or `tenant_context`). `days` are local
    dates of the tenant (default: today). Services and breach lists are snapshots and are
    only written for the last day given.
    """
    now = now or timezone.now()
    day_list = sorted(set(days or [local_today(tz_name, now)]))
    last = day_list[-1]
    services = services_figures(day=last, tz_name=tz_name, now=now)
    rows: list[RollupRow] = []
    for day in day_list:
        metrics, typed = applications_figures(day=day, tz_name=tz_name, now=now)
        metrics["live_services"] = services["live_services"]
        rows.append(RollupRow(tenant_id, day, MetricGroup.APPLICATIONS, metrics, typed))
        rows.append(RollupRow(tenant_id, day, MetricGroup.STEPS,
                              steps_figures(day=day, tz_name=tz_name, now=now)))
    rows.append(RollupRow(tenant_id, last, MetricGroup.SERVICES, services))
    rows.append(RollupRow(tenant_id, last, MetricGroup.BREACHES, breach_list(now=now)))
    return rollup_upsert(rows=rows, computed_at=now)


def rollup_onboarding_all(*, now: datetime | None = None) -> int:
    """The "onboarding" row of today for every registered tenant (public data only)."""
    from tenants.models import Tenant

    now = now or timezone.now()
    with schema_context("public"):
        tenants = list(
            Tenant.objects.exclude(schema_name="public").only(
                "id", "state", "is_ready", "timezone", "provisioning_step"
            )
        )
        figures = onboarding_figures(tenants=tenants, now=now)
    rows = [
        RollupRow(t.pk, local_today(t.timezone, now), MetricGroup.ONBOARDING, figures[t.pk])
        for t in tenants
    ]
    return rollup_upsert(rows=rows, computed_at=now)


def local_today(tz_name: str, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    try:
        return now.astimezone(ZoneInfo(tz_name or "Asia/Jakarta")).date()
    except (KeyError, ValueError):
        return now.astimezone(ZoneInfo("Asia/Jakarta")).date()


# --- sweep run log -------------------------------------------------------------------------


def sweep_run_start(*, tenant_ids: Sequence[int]) -> SweepRun:
    with schema_context("public"), transaction.atomic():
        run = SweepRun.objects.create(started_at=timezone.now(), tenants_dispatched=len(tenant_ids))
        TenantSweepResult.objects.bulk_create(
            [TenantSweepResult(run=run, tenant_id=tid) for tid in tenant_ids], batch_size=1000
        )
    return run


def sweep_result_record(
    *, tenant_id: int, run_id: int | None, status: str, counts: dict[str, int] | None = None,
    error: str = "", started_at: datetime | None = None,
) -> None:
    """Store one tenant's outcome (public schema); safe from inside a tenant context."""
    values: dict[str, Any] = {
        "status": status, "error": error[:4000], "finished_at": timezone.now(),
        **(counts or {}),
    }
    if started_at:
        values["started_at"] = started_at
    previous = connection.schema_name
    with schema_context("public"):
        with transaction.atomic():
            result, _created = TenantSweepResult.objects.select_for_update().get_or_create(
                run_id=run_id, tenant_id=tenant_id,
            ) if run_id else (TenantSweepResult(tenant_id=tenant_id), True)
            for key, value in values.items():
                setattr(result, key, value)
            result.attempts = (result.attempts or 0) + 1
            result.save()
            _figures_changed()
        if run_id and status != TenantSweepResult.Status.PENDING:
            _maybe_finish_run(run_id)
    if status == TenantSweepResult.Status.FAILED:
        logger.error(
            "SLA sweep failed for tenant %s (schema %s): %s", tenant_id, previous, error[:500]
        )


def _maybe_finish_run(run_id: int) -> None:
    pending = TenantSweepResult.objects.filter(
        run_id=run_id, status=TenantSweepResult.Status.PENDING
    ).exists()
    if not pending:
        SweepRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
