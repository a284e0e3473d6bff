"""Offerings API (tenant host): the public directory and the admin's adopt/update operations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import Agency, StaffRole
from agencies.selectors import staff_roles_for
from api.base import IsTenantStaff, OnTenantHost, TenantApi
from api.pagination import DefaultPagination
from api.schema import paginated
from catalog.models import ServiceVersion
from sla.errors import InvalidInput
from sla.selectors import policy_for

from .models import REQUIREMENT_KINDS, Offering
from .selectors import offering_by_code, offerings_for_portal
from .services import offering_adopt, offering_set_enabled, offering_update

ADMIN_ONLY = (StaffRole.Role.TENANT_ADMIN,)


class _OfferingApi(TenantApi):
    """GET is open to anyone on the tenant host; writes need the tenant admin role."""

    staff_roles_allowed = ADMIN_ONLY

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in {"GET", "HEAD", "OPTIONS"}:
            return [OnTenantHost()]
        return [OnTenantHost(), IsAuthenticated(), IsTenantStaff()]


# --------------------------------------------------------------------------- output


class OfferingCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OfferingAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OfferingSlaSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=["working_days", "working_hours", "calendar_days"])
    text = serializers.CharField(help_text="Dalam kata, mis. \"5 hari kerja\".")
    national_value = serializers.IntegerField()
    national_unit = serializers.CharField()


class OfferingFeeSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Total rupiah (nasional + daerah).")
    national_amount = serializers.IntegerField()
    local_amount = serializers.IntegerField()
    forbidden = serializers.BooleanField(help_text="Biaya dilarang (mis. adminduk).")
    basis = serializers.CharField()


def _offering_data(offering: Offering) -> dict[str, Any]:
    version = offering.service_version
    category = version.service.category
    policy = policy_for(offering=offering)
    return {
        "code": offering.service_code,
        "name": version.name,
        "description": version.description,
        "category": {"code": category.code, "name": category.name},
        "agency": {"code": offering.agency.code, "name": offering.agency.name},
        "channel": offering.channel,
        "external_url": offering.external_url,
        "apply_url": f"/permohonan/baru/{offering.service_code}/"
        if offering.channel == Offering.Channel.ONLINE else "",
        "version": version.number,
        "is_enabled": offering.is_enabled,
        "sla": {
            "value": policy.target_value, "unit": policy.target_unit,
            "text": policy.target_text, "national_value": version.sla_value,
            "national_unit": version.sla_unit,
        },
        "fee": {
            "amount": offering.total_fee, "national_amount": version.fee_amount,
            "local_amount": offering.local_fee_amount, "forbidden": offering.fee_forbidden,
            "basis": offering.local_fee_basis or version.fee_basis,
        },
    }


class OfferingOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = OfferingCategorySerializer()
    agency = OfferingAgencySerializer()
    channel = serializers.ChoiceField(choices=Offering.Channel.choices)
    external_url = serializers.CharField()
    apply_url = serializers.CharField(help_text="Formulir permohonan daring (kanal online).")
    version = serializers.IntegerField(help_text="Nomor versi katalog yang diadopsi.")
    is_enabled = serializers.BooleanField()
    sla = OfferingSlaSerializer()
    fee = OfferingFeeSerializer()


class OfferingRequirementSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    local = serializers.BooleanField(help_text="Tambahan daerah (bukan persyaratan nasional).")
    justification = serializers.CharField(allow_blank=True)


class OfferingStepSerializer(serializers.Serializer):
    actor = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class OfferingDetailOutputSerializer(OfferingOutputSerializer):
    requirements = OfferingRequirementSerializer(many=True)
    procedure = OfferingStepSerializer(many=True)
    product = serializers.CharField(allow_blank=True)
    complaints = serializers.DictField()


def _detail_data(offering: Offering) -> dict[str, Any]:
    version = offering.service_version
    requirements = [
        {"code": r.get("code", ""), "label": r.get("label", ""), "kind": r.get("kind", ""),
         "required": bool(r.get("required")), "local": False, "justification": ""}
        for r in version.requirements if isinstance(r, dict)
    ] + [
        {"code": r.get("code", ""), "label": r.get("label", ""), "kind": r.get("kind", ""),
         "required": bool(r.get("required")), "local": True,
         "justification": r.get("justification", "")}
        for r in offering.local_requirements if isinstance(r, dict)
    ]
    procedure = [
        {"actor": s.get("actor", ""), "title": s.get("title", ""),
         "description": s.get("description", "")}
        for s in version.procedure if isinstance(s, dict)
    ]
    return {
        **_offering_data(offering),
        "requirements": requirements,
        "procedure": procedure,
        "product": version.product,
        "complaints": version.complaints or {},
    }


class OfferingLocalRequirementInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[a-z][a-z0-9_]{0,49}$", max_length=50)
    label = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=REQUIREMENT_KINDS)
    required = serializers.BooleanField()
    justification = serializers.CharField(max_length=500, allow_blank=True, required=False)


# --------------------------------------------------------------------------- views


class OfferingListApi(_OfferingApi):
    """`GET`: enabled offerings of this tenant (anyone). `POST`: adopt a catalogue service."""

    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=["ADM", "IZN", "NON"], required=False)
        search = serializers.CharField(max_length=100, required=False, allow_blank=True)

    @extend_schema_serializer(component_name="OfferingAdoptInput")
    class InputSerializer(serializers.Serializer):
        service_code = serializers.CharField(max_length=12, help_text="Kode layanan katalog.")
        version = serializers.IntegerField(
            required=False, min_value=1,
            help_text="Nomor versi terbit; kosong = versi terbit terbaru.",
        )
        agency_code = serializers.SlugField(max_length=30, help_text="Kode OPD pemilik.")
        channel = serializers.ChoiceField(choices=Offering.Channel.choices)
        external_url = serializers.URLField(max_length=300, required=False, allow_blank=True)

    @extend_schema(
        operation_id="offerings_list",
        parameters=[
            OpenApiParameter("category", str, enum=["ADM", "IZN", "NON"]),
            OpenApiParameter("search", str, description="Cari nama, kode, atau OPD."),
        ],
        responses=paginated(OfferingOutputSerializer),
        description="Layanan aktif tenant ini; boleh tanpa login.",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = offerings_for_portal(
            search=filters.validated_data.get("search"),
            category=filters.validated_data.get("category"),
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = OfferingOutputSerializer([_offering_data(o) for o in page], many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="offerings_adopt", request=InputSerializer,
        responses={201: OfferingDetailOutputSerializer},
        description="Admin tenant: adopsi versi terbit layanan katalog nasional.",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        versions = ServiceVersion.objects.filter(
            service__code=data["service_code"].upper(), status=ServiceVersion.Status.PUBLISHED
        ).select_related("service__category")
        if "version" in data:
            versions = versions.filter(number=data["version"])
        version = versions.order_by("-number").first()
        if version is None:
            raise InvalidInput(
                {"service_code": ["Layanan atau versi terbit itu tidak ada di katalog nasional."]}
            )
        agency = Agency.objects.filter(code=data["agency_code"], is_active=True).first()
        if agency is None:
            raise InvalidInput({"agency_code": ["OPD dengan kode itu tidak ada atau tidak aktif."]})
        offering = offering_adopt(
            service_version=version, agency=agency, channel=data["channel"],
            external_url=data.get("external_url", ""), actor=request.user,
        )
        offering = offering_by_code(offering.service_code)
        return Response(
            OfferingDetailOutputSerializer(_detail_data(offering)).data,
            status=status.HTTP_201_CREATED,
        )


class OfferingDetailApi(_OfferingApi):
    """`GET`: one offering with its Standar Pelayanan. `PATCH`: admin changes."""

    @extend_schema_serializer(component_name="OfferingUpdateInput")
    class InputSerializer(serializers.Serializer):
        agency_code = serializers.SlugField(max_length=30, required=False)
        channel = serializers.ChoiceField(choices=Offering.Channel.choices, required=False)
        external_url = serializers.URLField(max_length=300, required=False, allow_blank=True)
        local_requirements = OfferingLocalRequirementInputSerializer(many=True, required=False)
        local_fee_amount = serializers.IntegerField(min_value=0, required=False)
        local_fee_basis = serializers.CharField(max_length=300, required=False, allow_blank=True)
        is_enabled = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="offerings_retrieve", responses=OfferingDetailOutputSerializer,
        description="Boleh tanpa login; layanan nonaktif hanya terlihat oleh staf.",
    )
    def get(self, request: Request, code: str) -> Response:
        staff = bool(staff_roles_for(user=request.user))
        offering = offering_by_code(code, enabled_only=not staff)
        return Response(OfferingDetailOutputSerializer(_detail_data(offering)).data)

    @extend_schema(
        operation_id="offerings_update", request=InputSerializer,
        responses=OfferingDetailOutputSerializer,
        description=(
            "Admin tenant: ubah OPD, kanal, persyaratan tambahan, biaya daerah atau status. "
            "Biaya daerah untuk layanan adminduk ditolak (kode `fee_forbidden`)."
        ),
    )
    def patch(self, request: Request, code: str) -> Response:
        offering = offering_by_code(code)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        is_enabled = data.pop("is_enabled", None)
        if "agency_code" in data:
            agency = Agency.objects.filter(code=data.pop("agency_code"), is_active=True).first()
            if agency is None:
                raise InvalidInput(
                    {"agency_code": ["OPD dengan kode itu tidak ada atau tidak aktif."]}
                )
            data["agency"] = agency
        if data:
            offering_update(offering=offering, actor=request.user, **data)
        if is_enabled is not None:
            offering_set_enabled(offering=offering, is_enabled=is_enabled, actor=request.user)
        offering = offering_by_code(code)
        return Response(OfferingDetailOutputSerializer(_detail_data(offering)).data)
