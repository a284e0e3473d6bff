"""The tenant performance dashboard (/kelola/laporan/) and its exports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import StaffRole
from feedback.questionnaire import UNSUR

from . import exports
from .charts import COLORS, bar_chart
from .selectors import Dashboard, dashboard, parse_period

ALLOWED = (StaffRole.Role.TENANT_ADMIN, StaffRole.Role.AGENCY_HEAD)


def _scope(request: HttpRequest) -> list[int] | None:
    """None = whole tenant (admin); else the OPD head's agencies. 403 for other roles."""
    roles = getattr(request, "staff_roles", [])
    if any(r.role == StaffRole.Role.TENANT_ADMIN for r in roles):
        return None
    heads = [r.agency_id for r in roles if r.role == StaffRole.Role.AGENCY_HEAD and r.agency_id]
    if not heads:
        raise PermissionDenied(_("Laporan hanya untuk admin tenant dan kepala OPD."))
    return heads


def _tz() -> str:
    return getattr(connection.tenant, "timezone", "") or "Asia/Jakarta"


def _board(request: HttpRequest, *, detail: bool = True) -> Dashboard:
    scope = _scope(request)
    period = parse_period(request.GET, today=timezone.localdate())
    return dashboard(period=period, tz=_tz(), agency_ids=scope, detail=detail)


def _charts(board: Dashboard) -> dict[str, str]:
    return {
        "status": bar_chart([(r["label"], r["n"]) for r in board.by_status],
                            title=_("Permohonan menurut status")),
        "service": bar_chart([(r["service_code"], r["received"]) for r in board.by_service[:12]],
                             title=_("Permohonan menurut layanan"), color=COLORS[4]),
        "compliance": bar_chart(
            [(r["name"], r["compliance_pct"]) for r in board.by_agency],
            title=_("Kepatuhan SLA per OPD (%)"), unit="%", color=COLORS[1],
        ),
        "wait_counter": bar_chart(
            [(r["counter__name"], r["avg_wait_minutes"]) for r in board.queue_by_counter],
            title=_("Rata-rata waktu tunggu per loket (menit)"), unit=" mnt", color=COLORS[2],
        ),
        "wait_hour": bar_chart(
            [(f"{r['hour']:02d}:00", r["avg_wait_minutes"]) for r in board.queue_by_hour],
            title=_("Rata-rata waktu tunggu per jam (menit)"), unit=" mnt", color=COLORS[5],
        ),
        "ikm_service": bar_chart(
            [(code, float(r.converted_display) if r.converted is not None else 0)
             for code, r in board.ikm_by_service.items()],
            title=_("IKM per layanan"), color=COLORS[0],
        ),
    }


def _context(board: Dashboard) -> dict[str, object]:
    return {"board": board, "charts": _charts(board), "unsur": UNSUR,
            "nrr": board.ikm.nrr_display() if board.ikm else []}


def dashboard_page(request: HttpRequest) -> HttpResponse:
    board = _board(request, detail=False)  # the page shows fewer medians than the exports
    return render(request, "reports/dashboard.html", {
        **_context(board), "query": request.GET.urlencode(),
    })


def _filename(board: Dashboard, ext: str) -> str:
    return f"laporan-{board.period.start.isoformat()}-{board.period.end.isoformat()}.{ext}"


def export_csv(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    response = HttpResponse(exports.to_csv(board), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(board, "csv")}"'
    return response


def export_xlsx(request: HttpRequest) -> HttpResponse:
    board = _board(request)
    response = HttpResponse(
        exports.to_xlsx(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(board, "xlsx")}"'
    return response


def export_pdf(request: HttpRequest) -> HttpResponse:
    """The printable monthly report (WeasyPrint): the page's body."""
    board = _board(request, detail=False)
    html = render_to_string("reports/print.html", {
        **_context(board), "tenant": request.tenant, "generated_at": timezone.now(),
    }, request=request)
    response = HttpResponse(exports.to_pdf(html, request.build_absolute_uri("/")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(board, "pdf")}"'
    return response
