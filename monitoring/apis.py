"""Monitoring API, platform host only: ministry users (session or bearer token) and national
API tokens with the `monitoring:read` scope (own rate limit per token)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import PLATFORM_API_AUTHENTICATION
from api.base import OnPlatformHost
from api.models import Scope
from api.pagination import DefaultPagination
from api.permissions import HasScope
from api.throttles import API_TOKEN_AWARE_THROTTLES

from . import selectors
from .permissions import IsMinistryUser

_FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Nama, provinsi atau awalan kode wilayah"),
    OpenApiParameter("province", OpenApiTypes.STR, description="Kode provinsi, mis. 32"),
    OpenApiParameter(
        "state", OpenApiTypes.STR,
        enum=["registered", "approved", "provisioning", "onboarding", "live", "suspended",
              "failed"],
    ),
    OpenApiParameter(
        "band", OpenApiTypes.STR, enum=list(selectors.BANDS),
        description="Kepatuhan SLA bulan ini: good ≥ 95, fair 80–95, poor < 80, none",
    ),
    OpenApiParameter(
        "sort", OpenApiTypes.STR,
        enum=[*selectors.SORT_KEYS, *(f"-{k}" for k in selectors.SORT_KEYS)],
        description="Urutan; awali dengan '-' untuk menurun",
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description="Nomor halaman (mulai 1)"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Baris per halaman (≤ 100)"),
]


class MonitoringTenantSerializer(serializers.Serializer):
    region_code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    province_code = serializers.CharField()
    province_name = serializers.CharField()
    state = serializers.CharField()
    onboarding_pct = serializers.FloatField()
    live_services = serializers.IntegerField()
    applications_month = serializers.IntegerField()
    decided_month = serializers.IntegerField()
    met_month = serializers.IntegerField()
    missed_month = serializers.IntegerField()
    sla_compliance_pct = serializers.DecimalField(
        source="compliance_pct", max_digits=5, decimal_places=2, allow_null=True,
        coerce_to_string=False,
    )
    band = serializers.CharField()
    breaches_month = serializers.IntegerField()
    breached_now = serializers.IntegerField()
    at_risk_now = serializers.IntegerField()
    open_now = serializers.IntegerField()
    snapshot_day = serializers.DateField(allow_null=True)
    sweep_status = serializers.CharField()


class MonitoringAggregateSerializer(serializers.Serializer):
    code = serializers.CharField(source="key")
    name = serializers.CharField()
    tenants = serializers.IntegerField()
    live = serializers.IntegerField()
    onboarding = serializers.IntegerField()
    applications_month = serializers.IntegerField()
    met_month = serializers.IntegerField()
    missed_month = serializers.IntegerField()
    sla_compliance_pct = serializers.DecimalField(
        source="compliance_pct", max_digits=5, decimal_places=2, allow_null=True,
        coerce_to_string=False,
    )
    breaches_month = serializers.IntegerField()
    breached_now = serializers.IntegerField()
    sweep_failures = serializers.IntegerField()


class MonitoringRankSerializer(serializers.Serializer):
    region_code = serializers.CharField()
    name = serializers.CharField()
    sla_compliance_pct = serializers.DecimalField(
        source="compliance_pct", max_digits=5, decimal_places=2, coerce_to_string=False,
    )


class MonitoringSummarySerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    national = MonitoringAggregateSerializer()
    provinces = MonitoringAggregateSerializer(many=True)
    best = MonitoringRankSerializer(many=True)
    worst = MonitoringRankSerializer(many=True)


class MonitoringApi(APIView):
    authentication_classes = PLATFORM_API_AUTHENTICATION
    permission_classes = [
        OnPlatformHost, HasScope(Scope.MONITORING_READ, user_permission=IsMinistryUser),
    ]
    throttle_classes = API_TOKEN_AWARE_THROTTLES


class MonitoringTenantListApi(MonitoringApi):
    """All registered tenants with this month's figures, from the daily rollups."""

    @extend_schema(
        operation_id="monitoring_tenants_list", parameters=_FILTER_PARAMETERS,
        responses=inline_serializer(
            "MonitoringTenantPage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": MonitoringTenantSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        filters = selectors.ConsoleFilters.from_query(request.query_params)
        rows = selectors.filter_rows(
            selectors.console_snapshot(today=timezone.localdate()).rows, filters
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(MonitoringTenantSerializer(page, many=True).data)


class MonitoringSummaryApi(MonitoringApi):
    """National and per-province aggregates of this month, plus the SLA compliance ranking."""

    @extend_schema(operation_id="monitoring_summary_retrieve", responses=MonitoringSummarySerializer)
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        snapshot = selectors.console_snapshot(today=today)
        data = {
            "period_start": selectors.month_start(today), "period_end": today,
            "national": snapshot.national, "provinces": snapshot.provinces,
            "best": snapshot.best, "worst": snapshot.worst,
        }
        return Response(MonitoringSummarySerializer(data).data)
