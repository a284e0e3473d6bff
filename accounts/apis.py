from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import staff_roles_for


class MeApi(APIView):
    """The logged-in account, and its roles on the current host."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        full_name = serializers.CharField()
        email = serializers.EmailField(allow_null=True)
        phone = serializers.CharField(allow_null=True)
        ministry_role = serializers.CharField()
        tenant = serializers.CharField(allow_null=True)
        staff_roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(operation_id="me_retrieve", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        on_tenant = connection.schema_name != "public"
        roles = staff_roles_for(user=user) if on_tenant else []
        data = {
            "id": user.pk,
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "ministry_role": user.ministry_role,
            "tenant": connection.schema_name if on_tenant else None,
            "staff_roles": [r.role for r in roles],
        }
        return Response(self.OutputSerializer(data).data)


class MyProfileApi(APIView):
    """The logged-in citizen's own profile (public schema, same on every host). The NIK is
    always returned masked; PATCH applies the same rules as the profile page."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="MyProfileUpdate")
    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=150, required=False)
        email = serializers.CharField(max_length=254, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        nik = serializers.CharField(max_length=24, required=False, allow_blank=True)
        birth_place = serializers.CharField(max_length=100, required=False, allow_blank=True)
        birth_date = serializers.DateField(required=False, allow_null=True)
        sex = serializers.ChoiceField(choices=["L", "P", ""], required=False)
        address = serializers.CharField(max_length=500, required=False, allow_blank=True)
        province_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
        regency_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
        district_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
        village_code = serializers.CharField(max_length=16, required=False, allow_blank=True)

    @extend_schema_serializer(component_name="MyProfile")
    class OutputSerializer(serializers.Serializer):
        full_name = serializers.CharField()
        email = serializers.CharField(allow_null=True)
        phone = serializers.CharField(allow_null=True)
        email_verified = serializers.BooleanField()
        phone_verified = serializers.BooleanField()
        is_verified = serializers.BooleanField()
        nik_masked = serializers.CharField(help_text="NIK, masked: 3273********0001")
        birth_place = serializers.CharField()
        birth_date = serializers.DateField(allow_null=True)
        sex = serializers.CharField()
        address = serializers.CharField()
        province_code = serializers.CharField()
        regency_code = serializers.CharField()
        district_code = serializers.CharField()
        village_code = serializers.CharField()

    def _output(self, user) -> dict:
        from .selectors import profile_for, user_is_verified

        user.refresh_from_db()
        profile = profile_for(user)
        data = {
            "full_name": user.full_name, "email": user.email, "phone": user.phone,
            "email_verified": bool(user.email_verified_at),
            "phone_verified": bool(user.phone_verified_at),
            "is_verified": user_is_verified(user),
            "nik_masked": profile.masked_nik if profile else "",
        }
        for name in ("birth_place", "sex", "address", "province_code", "regency_code",
                     "district_code", "village_code"):
            data[name] = getattr(profile, name) if profile else ""
        data["birth_date"] = profile.birth_date if profile else None
        return self.OutputSerializer(data).data

    @extend_schema(operation_id="me_profile_retrieve", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._output(request.user))

    @extend_schema(
        operation_id="me_profile_partial_update", request=InputSerializer,
        responses=OutputSerializer,
    )
    def patch(self, request: Request) -> Response:
        from .services import profile_update

        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "nik" in changes and not changes["nik"].strip():
            changes.pop("nik")  # blank keeps the stored NIK
        tenant = getattr(request, "tenant", None)
        on_tenant = tenant is not None and connection.schema_name != "public"
        profile_update(user=request.user, changes=changes, tenant=tenant if on_tenant else None)
        return Response(self._output(request.user))
