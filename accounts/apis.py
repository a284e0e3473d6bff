from __future__ import annotations

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import staff_roles_for


class MeApi(APIView):
    """The logged-in account, and its roles on the current host."""

    permission_classes = [IsAuthenticated]

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
