"""Open data API (platform host, anonymous, read-only). A national API token (scope
`open_data:read`) may be sent to get the token's own rate limit instead of the anonymous one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import NationalTokenAuthentication
from api.base import OnPlatformHost
from api.models import Scope
from api.permissions import HasScope
from api.throttles import AnonRateThrottleExceptApiToken, ApiTokenRateThrottle

from .opendata import MAX_MONTHS, kpi_rows


class OpenDataKpiApi(APIView):
    """Per-tenant monthly KPIs (counts only, no personal data). Licence: CC BY 4.0."""

    # only national tokens: sessions and personal tokens are ignored here (anonymous data)
    authentication_classes = [NationalTokenAuthentication]
    permission_classes = [OnPlatformHost, AllowAny, HasScope(Scope.OPEN_DATA_READ, public=True)]
    throttle_classes = [ApiTokenRateThrottle, AnonRateThrottleExceptApiToken]

    class InputSerializer(serializers.Serializer):
        months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS, default=12)
        region_code = serializers.RegexField(r"^\d{2}\.\d{2}$", required=False)

    class OutputSerializer(serializers.Serializer):
        region_code = serializers.CharField()
        tenant = serializers.CharField()
        kind = serializers.CharField()
        province_code = serializers.CharField()
        month = serializers.CharField()
        received = serializers.IntegerField()
        decided = serializers.IntegerField()
        completed = serializers.IntegerField()
        met = serializers.IntegerField()
        missed = serializers.IntegerField()
        new_breaches = serializers.IntegerField()
        sla_compliance_pct = serializers.DecimalField(
            max_digits=5, decimal_places=2, allow_null=True, coerce_to_string=False
        )

    @extend_schema(
        tags=["open data"],
        parameters=[
            OpenApiParameter("months", int, description=f"1–{MAX_MONTHS}, default 12"),
            OpenApiParameter("region_code", str, description="Kab/kota code, e.g. 32.73"),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        rows = kpi_rows(**serializer.validated_data)
        return Response(self.OutputSerializer(rows, many=True).data)
