"""Public, read-only catalogue API: answers identically on the platform and tenant hosts.
Anonymous reads are allowed; on the platform host a national API token (scope `catalog:read`)
may be sent to get the token's own rate limit."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import PLATFORM_API_AUTHENTICATION
from api.models import Scope
from api.pagination import DefaultPagination
from api.permissions import HasScope
from api.schema import paginated
from api.throttles import API_TOKEN_AWARE_THROTTLES

from .models import Category, ServiceVersion
from .selectors import catalog_services, service_latest_published, service_versions
from .workflow import workflow_of


@extend_schema_serializer(component_name="CatalogCategory")
class _CategorySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Category.Code.choices)
    name = serializers.CharField()


@extend_schema_serializer(component_name="CatalogSla")
class _SlaSerializer(serializers.Serializer):
    value = serializers.IntegerField(source="sla_value")
    unit = serializers.ChoiceField(source="sla_unit", choices=ServiceVersion.SlaUnit.values)
    unit_label = serializers.CharField(source="get_sla_unit_display")
    is_platform_default = serializers.BooleanField(source="sla_is_platform_default")


class CatalogServiceListApi(APIView):
    """National catalogue services (anonymous). Filter by `category`, search `q` in name/code."""

    authentication_classes = PLATFORM_API_AUTHENTICATION
    permission_classes = [AllowAny, HasScope(Scope.CATALOG_READ, public=True)]
    throttle_classes = API_TOKEN_AWARE_THROTTLES

    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(
            choices=Category.Code.choices, required=False, allow_blank=True
        )
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

        def to_internal_value(self, data):  # type: ignore[no-untyped-def]
            data = {k: data.get(k) for k in ("category", "q") if data.get(k) is not None}
            if data.get("category"):
                data["category"] = data["category"].strip().upper()
            return super().to_internal_value(data)

    @extend_schema_serializer(component_name="CatalogServiceListItem")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="CatalogFeeSummary")
        class FeeSerializer(serializers.Serializer):
            amount = serializers.IntegerField(source="fee_amount")
            forbidden = serializers.BooleanField(source="fee_forbidden")

        code = serializers.CharField(source="service.code")
        category = _CategorySerializer(source="service.category")
        version = serializers.IntegerField(source="number")
        name = serializers.CharField()
        name_en = serializers.CharField()
        description = serializers.CharField()
        owning_agency_hint = serializers.CharField()
        sla = _SlaSerializer(source="*")
        fee = FeeSerializer(source="*")
        published_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="catalog_services_list",
        parameters=[
            OpenApiParameter("category", OpenApiTypes.STR, enum=list(Category.Code.values),
                             description="Kode kategori: ADM, IZN atau NON."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Cari pada nama atau kode."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Paling banyak 100."),
        ],
        responses=paginated(OutputSerializer, name="PaginatedCatalogServiceList"),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = catalog_services(
            category=filters.validated_data.get("category") or None,
            search=filters.validated_data.get("q") or None,
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        latest = []
        for service in page:
            version = service.published_versions[0]
            version.service = service  # already loaded: no query per row
            latest.append(version)
        return paginator.get_paginated_response(self.OutputSerializer(latest, many=True).data)


class CatalogServiceDetailApi(APIView):
    """The latest published version of a service (the 6 published Standar Pelayanan
    components, the 8 internal ones, legal basis, form schema) and its version history."""

    authentication_classes = PLATFORM_API_AUTHENTICATION
    permission_classes = [AllowAny, HasScope(Scope.CATALOG_READ, public=True)]
    throttle_classes = API_TOKEN_AWARE_THROTTLES

    @extend_schema_serializer(component_name="CatalogServiceDetail")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="CatalogFee")
        class FeeSerializer(serializers.Serializer):
            amount = serializers.IntegerField(source="fee_amount")
            forbidden = serializers.BooleanField(source="fee_forbidden")
            basis = serializers.CharField(source="fee_basis")
            sanction = serializers.CharField(source="fee_sanction")
            note = serializers.CharField(source="fee_note")

        @extend_schema_serializer(component_name="CatalogSlaDetail")
        class SlaSerializer(_SlaSerializer):
            source = serializers.CharField(source="sla_source")

        @extend_schema_serializer(component_name="CatalogInternalComponents")
        class InternalSerializer(serializers.Serializer):
            legal_basis_text = serializers.CharField()
            facilities = serializers.CharField()
            competence = serializers.CharField()
            internal_supervision = serializers.CharField()
            staffing = serializers.CharField()
            service_guarantee = serializers.CharField()
            security_guarantee = serializers.CharField()
            performance_evaluation = serializers.CharField()

        @extend_schema_serializer(component_name="CatalogVersionSummary")
        class VersionSerializer(serializers.Serializer):
            number = serializers.IntegerField()
            status = serializers.ChoiceField(choices=ServiceVersion.Status.choices)
            published_at = serializers.DateTimeField()

        code = serializers.CharField(source="service.code")
        category = _CategorySerializer(source="service.category")
        version = serializers.IntegerField(source="number")
        published_at = serializers.DateTimeField()
        name = serializers.CharField()
        name_en = serializers.CharField()
        description = serializers.CharField()
        owning_agency_hint = serializers.CharField()
        fulfilment = serializers.ChoiceField(choices=ServiceVersion.Fulfilment.choices)
        requirements = serializers.JSONField()
        procedure = serializers.JSONField()
        sla = SlaSerializer(source="*")
        fee = FeeSerializer(source="*")
        product = serializers.CharField()
        complaints = serializers.JSONField()
        internal_components = InternalSerializer(source="*")
        legal_basis = serializers.JSONField()
        output_document = serializers.JSONField()
        form_fields = serializers.JSONField()
        prefill = serializers.JSONField()
        rules = serializers.JSONField(allow_null=True)
        notes = serializers.JSONField()
        workflow = serializers.SerializerMethodField()
        versions = VersionSerializer(many=True)

        @extend_schema_field(OpenApiTypes.OBJECT)
        def get_workflow(self, version: ServiceVersion) -> dict:
            """{steps: [{code, name, agency_kind, sla_working_days, sla, optional, when,
            outcomes, record}], implicit} (catalog.workflow)."""
            return workflow_of(version).as_api()

    @extend_schema(operation_id="catalog_services_retrieve", responses=OutputSerializer)
    def get(self, request: Request, code: str) -> Response:
        version = service_latest_published(service_code=code)
        version.versions = list(service_versions(service_code=version.service.code))
        return Response(self.OutputSerializer(version).data)
