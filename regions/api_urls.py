"""Region API on tenant hosts: the tenant's active kecamatan and desa/kelurahan (read-only;
citizens use it for address pickers) and the import history (tenant admin)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import StaffRole
from api.base import TenantApi, TenantStaffApi
from api.pagination import DefaultPagination
from api.schema import paginated

from . import selectors


class RegionDistrictOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active_villages = serializers.IntegerField()


class RegionVillageOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    district_code = serializers.CharField(source="district.code")


class RegionImportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    filename = serializers.CharField()
    file_sha256 = serializers.CharField()
    layout = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    actor_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class DistrictListApi(TenantApi):
    """Active kecamatan of this kab/kota."""

    OutputSerializer = RegionDistrictOutputSerializer

    @extend_schema(
        operation_id="regions_districts_list",
        parameters=[OpenApiParameter("q", str, description="cari kode atau nama")],
        responses=paginated(RegionDistrictOutputSerializer),
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        qs = selectors.district_list(search=request.query_params.get("q", ""),
                                     include_inactive=False)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class VillageListApi(TenantApi):
    """Active desa/kelurahan of this kab/kota, optionally of one kecamatan."""

    OutputSerializer = RegionVillageOutputSerializer

    @extend_schema(
        operation_id="regions_villages_list",
        parameters=[
            OpenApiParameter("q", str, description="cari kode atau nama"),
            OpenApiParameter("district", str, description="kode kecamatan, mis. 33.14.01"),
        ],
        responses=paginated(RegionVillageOutputSerializer),
    )
    def get(self, request: Request, **kwargs: object) -> Response:
        qs = selectors.village_list(
            search=request.query_params.get("q", ""),
            district_code=request.query_params.get("district", ""),
            include_inactive=False,
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class RegionImportListApi(TenantStaffApi):
    """Import history (tenant admin)."""

    staff_roles_allowed = (StaffRole.Role.TENANT_ADMIN,)

    OutputSerializer = RegionImportOutputSerializer

    @extend_schema(operation_id="regions_imports_list", responses=RegionImportOutputSerializer(many=True))
    def get(self, request: Request, **kwargs: object) -> Response:
        records = selectors.region_import_history(limit=50)
        return Response(self.OutputSerializer(records, many=True).data)


tenant_urlpatterns = [
    path("regions/districts/", DistrictListApi.as_view(), name="regions-districts"),
    path("regions/villages/", VillageListApi.as_view(), name="regions-villages"),
    path("regions/imports/", RegionImportListApi.as_view(), name="regions-imports"),
]
