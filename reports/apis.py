"""API of the reports app: the dashboard figures as JSON."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import TenantStaffApi

from .selectors import dashboard, parse_period


class ReportSummaryApi(TenantStaffApi):
    """Dashboard figures for ``?bulan=YYYY-MM`` or ``?dari=&sampai=`` (admin: whole tenant;
    OPD head: their OPDs)."""

    staff_roles_allowed = ("tenant_admin", "agency_head")

    @extend_schema(
        operation_id="reports_summary", responses=dict,
        parameters=[OpenApiParameter("bulan", str), OpenApiParameter("dari", str),
                    OpenApiParameter("sampai", str)],
    )
    def get(self, request: Request) -> Response:
        roles = request.staff_roles
        scope = None
        if not any(r.role == "tenant_admin" for r in roles):
            scope = [r.agency_id for r in roles if r.role == "agency_head" and r.agency_id]
        period = parse_period(request.query_params, today=timezone.localdate())
        tz = getattr(connection.tenant, "timezone", "") or "Asia/Jakarta"
        board = dashboard(period=period, tz=tz, agency_ids=scope)
        return Response({
            "period": {"start": period.start, "end": period.end},
            "applications_available": board.applications_available,
            "applications": board.totals,
            "applications_by_status": board.by_status,
            "applications_by_service": board.by_service,
            "applications_by_agency": board.by_agency,
            "queue": board.queue_totals,
            "queue_by_counter": board.queue_by_counter,
            "queue_by_hour": board.queue_by_hour,
            "ikm": board.ikm.as_dict() if board.ikm else None,
            "ikm_by_service": {k: v.as_dict() for k, v in board.ikm_by_service.items()},
            "ikm_by_agency": [{"name": n, **r.as_dict()} for n, r in board.ikm_by_agency],
            "complaints": board.complaints,
        })
