from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import TenantStaffApi
from api.pagination import DefaultPagination
from api.schema import paginated

from .models import Agency, StaffRole
from .services import agency_create


class AgencyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "short_name", "email", "phone", "is_active"]


class AgencyListApi(TenantStaffApi):
    """OPDs of the current tenant (staff only)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150)
        short_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
        code = serializers.SlugField(max_length=30, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    @extend_schema(operation_id="agencies_list", responses=paginated(AgencyOutputSerializer))
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(Agency.objects.order_by("name"), request, view=self)
        return paginator.get_paginated_response(AgencyOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="agencies_create", request=InputSerializer,
        responses={201: AgencyOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        if not any(r.role == StaffRole.Role.TENANT_ADMIN for r in request.staff_roles):
            self.permission_denied(request, message="Hanya admin tenant yang boleh menambah OPD.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = agency_create(**serializer.validated_data, actor=request.user)
        return Response(AgencyOutputSerializer(agency).data, status=status.HTTP_201_CREATED)
