"""API of the feedback app (thin: parse, call a selector/service, serialize)."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from api.base import OnTenantHost, TenantApi, TenantStaffApi
from api.pagination import DefaultPagination
from api.schema import paginated

from . import services as feedback_services
from .exports import lapor_row
from .models import Complaint
from .questionnaire import UNSUR_CODES
from .selectors import Period, complaint_get_by_code, complaint_list, ikm_for_period


class SkmSubmitApi(TenantApi):
    """Submit the nine SKM answers behind a signed link (once; staff of this tenant: 403)."""

    permission_classes = [OnTenantHost, AllowAny]
    throttle_classes = [AnonRateThrottle]

    InputSerializer = type(
        "SkmSubmitInputSerializer", (serializers.Serializer,), {
            **{code: serializers.IntegerField(min_value=1, max_value=4) for code in UNSUR_CODES},
            "comment": serializers.CharField(required=False, allow_blank=True, max_length=2000),
        },
    )

    class OutputSerializer(serializers.Serializer):
        reference = serializers.CharField()
        submitted_at = serializers.DateTimeField()

    @extend_schema(operation_id="skm_submit", request=InputSerializer,
                   responses={201: OutputSerializer})
    def post(self, request: Request, token: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        comment = values.pop("comment", "")
        response = feedback_services.skm_submit(
            token=token, user=request.user, answers=values, comment=comment
        )
        return Response(self.OutputSerializer(response).data, status=status.HTTP_201_CREATED)


class ComplaintOutputSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    verify_due = serializers.DateTimeField()
    respond_due = serializers.DateTimeField()
    close_due = serializers.DateTimeField(allow_null=True)
    response = serializers.CharField()
    created_at = serializers.DateTimeField()


class ComplaintCreateApi(TenantApi):
    """File a complaint (anonymous allowed)."""

    permission_classes = [OnTenantHost, AllowAny]
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(serializers.Serializer):
        subject = serializers.ChoiceField(choices=Complaint.Subject.choices)
        reference = serializers.CharField(required=False, allow_blank=True, max_length=40)
        service_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
        identity = serializers.ChoiceField(choices=Complaint.Identity.choices, default="open")
        name = serializers.CharField(required=False, allow_blank=True, max_length=120)
        address = serializers.CharField(required=False, allow_blank=True, max_length=250)
        contact = serializers.CharField(required=False, allow_blank=True, max_length=120)
        title = serializers.CharField(max_length=150)
        shortfall = serializers.CharField()
        loss = serializers.CharField(required=False, allow_blank=True)
        remedy = serializers.CharField(required=False, allow_blank=True)
        place = serializers.CharField(required=False, allow_blank=True, max_length=150)
        incident_date = serializers.DateField(required=False, allow_null=True)

    @extend_schema(operation_id="complaints_create", request=InputSerializer,
                   responses={201: ComplaintOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = feedback_services.complaint_create(actor=request.user, **data.validated_data)
        return Response(ComplaintOutputSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintTrackApi(TenantApi):
    permission_classes = [OnTenantHost, AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(operation_id="complaints_track", responses=ComplaintOutputSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(ComplaintOutputSerializer(complaint_get_by_code(code=code)).data)


class ComplaintListApi(TenantStaffApi):
    """Complaints of the caller's OPDs (all for the tenant admin), SP4N-LAPOR! shaped."""

    class OutputSerializer(serializers.Serializer):
        def to_representation(self, instance: Complaint) -> dict:
            return lapor_row(instance)

    @extend_schema(operation_id="complaints_list", responses=paginated(OutputSerializer))
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        qs = complaint_list(roles=request.staff_roles, status=request.query_params.get("status", ""))
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class IkmApi(TenantStaffApi):
    """IKM of the tenant, or per service / OPD, for a period."""

    staff_roles_allowed = ("tenant_admin", "agency_head")

    class InputSerializer(serializers.Serializer):
        start = serializers.DateField()
        end = serializers.DateField()
        group = serializers.ChoiceField(choices=["", "service", "agency"], required=False, default="")

    @extend_schema(operation_id="ikm_get", parameters=[InputSerializer], responses=dict)
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        period = Period(data["start"], data["end"])
        tz = getattr(connection.tenant, "timezone", "") or "Asia/Jakarta"
        agency_ids = None
        if not any(r.role == "tenant_admin" for r in request.staff_roles):
            agency_ids = [r.agency_id for r in request.staff_roles if r.agency_id]
        group = {"service": "service_code", "agency": "agency_id"}.get(data["group"])
        result = ikm_for_period(period=period, tz=tz, group_by=group, agency_ids=agency_ids)
        if group is None:
            return Response(result.as_dict())
        return Response({str(key): value.as_dict() for key, value in result.items()})

