"""SLA API (tenant host): the work calendar (tenant admin)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import StaffRole
from api.base import TenantStaffApi

from .models import CalendarVersion
from .selectors import calendar_current
from .services import calendar_update


class SlaLocalHolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=120)


class SlaCalendarSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id versi; disimpan bersama tenggat permohonan.")
    version = serializers.IntegerField()
    timezone = serializers.CharField()
    working_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), help_text="0 = Senin."
    )
    windows = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        help_text='Per hari ("0" = Senin): [["08:00", "12:00"], ["13:00", "16:00"]].',
    )
    include_cuti_bersama = serializers.BooleanField()
    local_holidays = SlaLocalHolidaySerializer(many=True)
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


def _calendar_data(version: CalendarVersion) -> dict[str, Any]:
    return {
        "id": version.pk, "version": version.version, "timezone": version.timezone,
        "working_days": version.working_days, "windows": version.windows,
        "include_cuti_bersama": version.include_cuti_bersama,
        "local_holidays": version.local_holidays, "note": version.note,
        "created_at": version.created_at,
    }


class CalendarApi(TenantStaffApi):
    """The work calendar in force. `PUT` creates a new version (older due dates keep theirs)."""

    staff_roles_allowed = (StaffRole.Role.TENANT_ADMIN,)

    @extend_schema_serializer(component_name="SlaCalendarInput")
    class InputSerializer(serializers.Serializer):
        working_days = serializers.ListField(
            child=serializers.IntegerField(min_value=0, max_value=6), allow_empty=True
        )
        windows = serializers.DictField(
            child=serializers.ListField(
                child=serializers.ListField(
                    child=serializers.CharField(max_length=5), min_length=2, max_length=2
                )
            )
        )
        include_cuti_bersama = serializers.BooleanField()
        local_holidays = SlaLocalHolidaySerializer(many=True, required=False)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(operation_id="sla_calendar_retrieve", responses=SlaCalendarSerializer)
    def get(self, request: Request) -> Response:
        return Response(SlaCalendarSerializer(_calendar_data(calendar_current())).data)

    @extend_schema(
        operation_id="sla_calendar_update", request=InputSerializer,
        responses=SlaCalendarSerializer,
        description=(
            "Admin tenant: simpan kalender kerja sebagai versi baru. Kesalahan per isian ada "
            "di `extra.fields` (mis. `windows_4` untuk jam kerja Jumat yang tumpang tindih)."
        ),
    )
    def put(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        note = data.pop("note", "")
        if "local_holidays" in data:
            data["local_holidays"] = [
                {"date": h["date"].isoformat(), "name": h["name"]} for h in data["local_holidays"]
            ]
        version = calendar_update(actor=request.user, note=note, **data)
        return Response(SlaCalendarSerializer(_calendar_data(version)).data)
