"""Figures computed inside one tenant's schema (or from public data) for the daily rollups.

Every function here reads; `monitoring.services` writes the rows. The "applications" figures
are one grouped SQL statement (overall, per service category and per offering via GROUPING
SETS) that touches only the rows relevant to the day: open applications plus those received,
decided, completed or due that day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from applications.models import PENDING_DECISION_STATUSES

OPEN_STATUSES = [str(status) for status in PENDING_DECISION_STATUSES]  # (SQL parameters)
BREACH_LIST_LIMIT = 200

_FLOW_KEYS = ("received", "decided", "completed", "met", "missed", "new_breaches")
_SNAPSHOT_KEYS = ("open", "at_risk", "breached")


def _tz(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name or "Asia/Jakarta")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Jakarta")


def day_bounds(day: date, tz_name: str) -> tuple[datetime, datetime]:
    tz = _tz(tz_name)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def compliance_pct(met: int, missed: int) -> Decimal | None:
    if not met + missed:
        return None
    return (Decimal(met * 100) / Decimal(met + missed)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _hours(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _tables() -> dict[str, str]:
    from applications.models import Application
    from catalog.models import Category, Service, ServiceVersion

    return {
        "app": Application._meta.db_table,
        "version": f"public.{ServiceVersion._meta.db_table}",
        "service": f"public.{Service._meta.db_table}",
        "category": f"public.{Category._meta.db_table}",
    }


_FIGURES_SQL = """
SELECT GROUPING(c.code) AS g_cat, GROUPING(a.service_code) AS g_off, c.code, 0,
  a.service_code,
  count(*) FILTER (WHERE a.submitted_at >= %(s)s AND a.submitted_at < %(e)s),
  count(*) FILTER (WHERE a.decided_at >= %(s)s AND a.decided_at < %(e)s),
  count(*) FILTER (WHERE a.completed_at >= %(s)s AND a.completed_at < %(e)s),
  count(*) FILTER (WHERE a.sla_state = 'met'
                   AND COALESCE(a.decided_at, a.completed_at) >= %(s)s
                   AND COALESCE(a.decided_at, a.completed_at) < %(e)s),
  count(*) FILTER (WHERE a.sla_state = 'missed'
                   AND COALESCE(a.decided_at, a.completed_at) >= %(s)s
                   AND COALESCE(a.decided_at, a.completed_at) < %(e)s),
  count(*) FILTER (WHERE a.due_at >= %(s)s AND a.due_at < %(e)s AND a.due_at <= %(now)s
                   AND a.sla_state IN ('breached', 'missed')),
  count(*) FILTER (WHERE a.status = ANY(%(open)s)),
  count(*) FILTER (WHERE a.status = ANY(%(open)s) AND a.sla_state = 'at_risk'),
  count(*) FILTER (WHERE a.status = ANY(%(open)s) AND a.sla_state = 'breached'),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (
      COALESCE(a.decided_at, a.completed_at) - COALESCE(a.clock_started_at, a.submitted_at)
  )) / 3600.0) FILTER (WHERE COALESCE(a.decided_at, a.completed_at) >= %(s)s
                       AND COALESCE(a.decided_at, a.completed_at) < %(e)s)
FROM {app} a
LEFT JOIN {version} v ON v.id = a.service_version_id
LEFT JOIN {service} sv ON sv.id = v.service_id
LEFT JOIN {category} c ON c.id = sv.category_id
WHERE a.status = ANY(%(open)s)
   OR (a.submitted_at >= %(s)s AND a.submitted_at < %(e)s)
   OR (a.decided_at >= %(s)s AND a.decided_at < %(e)s)
   OR (a.completed_at >= %(s)s AND a.completed_at < %(e)s)
   OR (a.due_at >= %(s)s AND a.due_at < %(e)s)
GROUP BY GROUPING SETS ((), (c.code), (a.service_code))
"""


def _figure_dict(values: tuple[Any, ...]) -> dict[str, Any]:
    keys = (*_FLOW_KEYS, *_SNAPSHOT_KEYS)
    figures: dict[str, Any] = {key: int(values[i] or 0) for i, key in enumerate(keys)}
    pct = compliance_pct(figures["met"], figures["missed"])
    figures["sla_compliance_pct"] = float(pct) if pct is not None else None
    hours = _hours(values[len(keys)])
    figures["median_processing_hours"] = float(hours) if hours is not None else None
    return figures


def applications_figures(
    *, day: date, tz_name: str, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics JSON, typed columns) of the "applications" group for one local day."""
    start, end = day_bounds(day, tz_name)
    with connection.cursor() as cursor:
        cursor.execute(
            _FIGURES_SQL.format(**_tables()),
            {"s": start, "e": end, "now": now, "open": list(OPEN_STATUSES)},
        )
        rows = cursor.fetchall()
    overall: dict[str, Any] = _figure_dict((0,) * 10 + (None,))
    by_category: dict[str, Any] = {}
    by_service: dict[str, Any] = {}
    for g_cat, g_off, category, _offering_id, service_code, *values in rows:
        figures = _figure_dict(tuple(values))
        if g_cat and g_off:
            overall = figures
        elif not g_cat:
            by_category[category or "-"] = figures
        else:
            by_service[service_code] = figures
    metrics = {
        **overall, "by_category": by_category, "by_service": by_service,
        "tz": tz_name, "day_start": start.isoformat(),
    }
    typed = {key: overall[key] for key in (*_FLOW_KEYS, *_SNAPSHOT_KEYS)}
    typed["sla_compliance_pct"] = compliance_pct(overall["met"], overall["missed"])
    typed["median_processing_hours"] = (
        _hours(overall["median_processing_hours"])
        if overall["median_processing_hours"] is not None else None
    )
    return metrics, typed


def services_figures(*, day: date, tz_name: str, now: datetime) -> dict[str, Any]:
    """The tenant's offerings (for the drill-down): code, name, category, OPD, SLA target."""
    from services.models import Offering

    offerings = list(
        Offering.objects.select_related(
            "agency", "service_version__service__category", "sla_policy"
        ).order_by("service_code")
    )
    items = []
    for offering in offerings:
        version = offering.service_version
        policy = getattr(offering, "sla_policy", None)
        items.append({
            "code": offering.service_code,
            "name": version.name,
            "category": version.service.category.code,
            "agency": offering.agency.short_name or offering.agency.name,
            "enabled": offering.is_enabled,
            "channel": offering.channel,
            "sla": policy.target_text if policy else f"{version.sla_value} {version.sla_unit}",
            "deemed_approval": bool(getattr(policy, "deemed_approval", False)),
        })
    return {
        "items": items, "live_services": sum(1 for item in items if item["enabled"]),
        "total_services": len(items),
    }


_STEP_SQL = """
SELECT COALESCE(NULLIF(s.agency_kind, ''), '-'), s.step_code, max(s.step_name),
  count(*) FILTER (WHERE s.finished_at >= %(s)s AND s.finished_at < %(e)s),
  count(*) FILTER (WHERE s.finished_at >= %(s)s AND s.finished_at < %(e)s
                   AND s.sla_state = 'met'),
  count(*) FILTER (WHERE s.finished_at >= %(s)s AND s.finished_at < %(e)s
                   AND s.sla_state = 'missed'),
  count(*) FILTER (WHERE s.due_at >= %(s)s AND s.due_at < %(e)s AND s.due_at <= %(now)s
                   AND s.sla_state IN ('breached', 'missed')),
  count(*) FILTER (WHERE s.finished_at IS NULL AND s.sla_state = 'breached'),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (s.finished_at - s.started_at))
      / 3600.0) FILTER (WHERE s.finished_at >= %(s)s AND s.finished_at < %(e)s),
  percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (s.finished_at - s.started_at))
      / 3600.0) FILTER (WHERE s.finished_at >= %(s)s AND s.finished_at < %(e)s)
FROM {step} s
WHERE (s.finished_at >= %(s)s AND s.finished_at < %(e)s)
   OR (s.due_at >= %(s)s AND s.due_at < %(e)s)
   OR (s.finished_at IS NULL AND s.sla_state = 'breached')
GROUP BY 1, 2
"""

_STEP_KEYS = ("finished", "met", "missed", "new_breaches", "open_breached")


def steps_figures(*, day: date, tz_name: str, now: datetime) -> dict[str, Any]:
    """The "steps" group of one local day (issue 13): per OPD kind and workflow step, the
    steps finished that day (on time, late, median and p90 hours at the step), the step
    deadlines that passed that day unmet, and the steps open past their deadline now. OPDs are
    the tenant's own, so the ministry compares by OPD kind (``dinkes``, ``dpmptsp`` …)."""
    from applications.models import ApplicationStep

    start, end = day_bounds(day, tz_name)
    with connection.cursor() as cursor:
        cursor.execute(
            _STEP_SQL.format(step=ApplicationStep._meta.db_table),
            {"s": start, "e": end, "now": now},
        )
        rows = cursor.fetchall()
    by_kind: dict[str, dict[str, Any]] = {}
    by_step: list[dict[str, Any]] = []
    for kind, step_code, step_name, *values in rows:
        counts = {key: int(values[i] or 0) for i, key in enumerate(_STEP_KEYS)}
        median, p90 = values[len(_STEP_KEYS)], values[len(_STEP_KEYS) + 1]
        by_step.append({
            "agency_kind": kind, "step": step_code, "name": step_name, **counts,
            "median_hours": float(_hours(median)) if median is not None else None,
            "p90_hours": float(_hours(p90)) if p90 is not None else None,
        })
        total = by_kind.setdefault(kind, {key: 0 for key in _STEP_KEYS} | {"hours_x_n": 0.0})
        for key in _STEP_KEYS:
            total[key] += counts[key]
        if median is not None:  # for a finished-weighted mean of the medians across days
            total["hours_x_n"] += float(median) * counts["finished"]
    by_step.sort(key=lambda r: (r["agency_kind"], r["step"]))
    return {"by_kind": by_kind, "by_step": by_step, "tz": tz_name}


def breach_list(*, now: datetime) -> dict[str, Any]:
    """Open applications past their due instant, oldest first (capped), for the drill-down."""
    tables = _tables()
    sql = f"""
        SELECT a.tracking_code, a.service_code, ag.short_name, ag.name, a.due_at, a.status,
               count(*) OVER ()
        FROM {tables['app']} a
        LEFT JOIN {_agency_table()} ag ON ag.id = a.agency_id
        WHERE a.sla_state = 'breached' AND a.status = ANY(%(open)s)
        ORDER BY a.due_at
        LIMIT %(limit)s
    """  # noqa: S608 -- table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"open": list(OPEN_STATUSES), "limit": BREACH_LIST_LIMIT})
        rows = cursor.fetchall()
    items = [
        {
            "tracking_code": code, "service_code": service, "agency": short or name or "",
            "due_at": due.isoformat() if due else None, "status": status,
            "overdue_hours": round((now - due).total_seconds() / 3600, 1) if due else None,
        }
        for code, service, short, name, due, status, _total in rows
    ]
    return {"items": items, "total": rows[0][-1] if rows else 0, "limit": BREACH_LIST_LIMIT}


def _agency_table() -> str:
    from agencies.models import Agency

    return Agency._meta.db_table


def onboarding_figures(*, tenants: list[Any], now: datetime) -> dict[int, dict[str, Any]]:
    """{tenant id: {"state", "is_ready", "progress_pct", "steps_done", "steps_total"}}."""
    progress: dict[int, dict[str, Any]] = {}
    try:
        from onboarding.models import OnboardingProgress
    except ImportError:  # pragma: no cover - the onboarding app is optional here
        OnboardingProgress = None
    total_steps = _onboarding_step_count()
    if OnboardingProgress is not None:
        for tenant_id, steps, went_live_at in OnboardingProgress.objects.values_list(
            "tenant_id", "steps", "went_live_at"
        ):
            done = sum(1 for value in (steps or {}).values()
                       if isinstance(value, dict) and value.get("done"))
            total = max(total_steps or len(steps or {}), done)
            progress[tenant_id] = {
                "steps_done": done, "steps_total": total,
                "went_live_at": went_live_at.isoformat() if went_live_at else None,
            }
    result = {}
    for tenant in tenants:
        item = progress.get(tenant.pk, {"steps_done": 0, "steps_total": total_steps or 0})
        if tenant.state == "live":
            pct = 100.0
        elif item["steps_total"]:
            pct = round(100.0 * item["steps_done"] / item["steps_total"], 1)
        else:
            pct = 0.0
        result[tenant.pk] = {
            **item, "progress_pct": pct, "state": tenant.state, "is_ready": tenant.is_ready,
        }
    return result


def _onboarding_step_count() -> int | None:
    """The number of wizard steps, if the onboarding app publishes it (`STEPS`)."""
    import importlib

    for module_name in ("onboarding.steps", "onboarding.services", "onboarding.models"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        steps = getattr(module, "STEPS", None) or getattr(module, "ONBOARDING_STEPS", None)
        if steps:
            return len(steps)
    return None
