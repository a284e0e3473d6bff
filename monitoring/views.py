"""Ministry console pages (platform host, ministry role): all tenants, drill-down, exports."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenants.models import Tenant

from . import selectors, svg
from .exports import rows_to_csv, rows_to_xlsx
from .permissions import ministry_required

PAGE_SIZE = 50

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_query(filters: selectors.ConsoleFilters, **overrides: str) -> str:
    params = {
        "q": filters.q, "province": filters.province, "state": filters.state,
        "band": filters.band, "sort": filters.sort_param, **overrides,
    }
    return urlencode({k: v for k, v in params.items() if v})


@require_GET
@ministry_required
def console(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = selectors.ConsoleFilters.from_query(request.GET)
    snapshot = selectors.console_snapshot(today=today)
    provinces = snapshot.provinces
    shown = selectors.filter_rows(snapshot.rows, filters)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.snapshot_trends(snapshot, page.object_list)
    sort_links = {
        key: _filter_query(
            filters, sort=f"-{key}" if filters.sort == key and not filters.descending else key
        )
        for key in selectors.SORT_KEYS
    }
    context = {
        "page": page,
        # what does not depend on the filters is rendered once per snapshot (and language)
        "summary_html": snapshot.memoised("summary", lambda: _fragment(
            "monitoring/_console_summary.html", {"national": snapshot.national}
        )),
        "page_rows": [
            snapshot.memoised(("row", row.id), lambda row=row: _fragment(
                "monitoring/_console_row.html",
                {"row": row, "sparkline": svg.sparkline(row.trend, label=_trend_label(row))},
            ))
            for row in page.object_list
        ],
        "ranking_html": snapshot.memoised("ranking", lambda: _fragment(
            "monitoring/_console_ranking.html", {
                "national": snapshot.national, "provinces": provinces,
                "best": snapshot.best, "worst": snapshot.worst,
                "province_chart": svg.bars(
                    [(p.name, float(p.compliance_pct)) for p in provinces
                     if p.compliance_pct is not None],
                    unit=" %", maximum=100.0,
                ),
            },
        )),
        "filters": filters,
        "province_choices": [(p.key, p.name) for p in provinces if p.key],
        "state_choices": [c for c in Tenant.State.choices],
        "band_choices": [(key, label) for key, (label, _lo, _hi) in selectors.BANDS.items()],
        "query": _filter_query(filters),
        "sort_links": sort_links,
        "month_start": selectors.month_start(today),
        "today": today,
        "trend_weeks": selectors.TREND_WEEKS,
    }
    return render(request, "monitoring/console.html", context)


def _fragment(template: str, context: dict) -> str:
    """A part of the console rendered from the snapshot alone: no request, so nothing of the
    visitor (user, CSRF token) can end up in what other visitors are shown."""
    rendered = get_template(template).render(context)
    return mark_safe(rendered.strip())  # noqa: S308 (the template's own escaped output)


def _labelled(steps: selectors.StepAccountability) -> selectors.StepAccountability:
    from catalog.workflow import AGENCY_KINDS

    def label(kind: str) -> str:
        return str(AGENCY_KINDS.get(kind, _("OPD pemilik layanan") if kind == "-" else kind))

    for item in steps.by_kind:
        item.label = label(item.kind)
    for row in steps.worst:
        row["label"] = label(row["kind"])
    return steps


@require_GET
@ministry_required
def steps(request: HttpRequest) -> HttpResponse:
    """Accountability per OPD kind and workflow step across the fleet (issue 13)."""
    data = _labelled(selectors.step_accountability(today=timezone.localdate()))
    return render(request, "monitoring/steps.html", {"steps": data})


def _trend_label(row: selectors.TenantRow) -> str:
    known = [f"{v:.0f} %" for v in row.trend if v is not None]
    if not known:
        return f"{row.name}: belum ada data kepatuhan"
    return f"{row.name}: kepatuhan SLA mingguan {', '.join(known)}"


@require_GET
@ministry_required
def console_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    today = timezone.localdate()
    filters = selectors.ConsoleFilters.from_query(request.GET)
    snapshot = selectors.console_snapshot(today=today)
    shown = selectors.filter_rows(snapshot.rows, filters)
    stamp = today.strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(rows_to_csv(shown), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(rows_to_xlsx(shown, snapshot.provinces), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mpp-pemantauan-{stamp}.{fmt}"'
    return response


@require_GET
@ministry_required
def tenant_detail(request: HttpRequest, region_code: str) -> HttpResponse:
    detail = selectors.tenant_detail(region_code=region_code)
    daily = detail.daily
    context = {
        "detail": detail,
        "row": detail.row,
        "received_chart": svg.columns(
            [float(d["received"] or 0) for d in daily],
            title=", ".join(f"{d['day']:%d/%m}: {d['received'] or 0}" for d in daily),
        ),
        "compliance_spark": svg.sparkline(
            [float(d["sla_compliance_pct"]) if d["sla_compliance_pct"] is not None else None
             for d in daily], width=480, height=60,
        ),
        "trend_spark": svg.sparkline(detail.row.trend, width=240, height=40),
        "steps": _labelled(selectors.step_accountability(tenant_id=detail.row.id)),
    }
    return render(request, "monitoring/tenant_detail.html", context)
