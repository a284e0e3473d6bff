"""API of the hall app (thin: parse, call a selector/service, serialize)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import OnTenantHost, TenantApi, TenantStaffApi

from . import services as hall_services
from .models import Counter, Ticket
from .selectors import board, hall_calendar, slots_for, ticket_get, wait_estimates


class TicketOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    number = serializers.CharField()
    service_code = serializers.CharField()
    day = serializers.DateField()
    slot_start = serializers.DateTimeField(allow_null=True)
    slot_end = serializers.DateTimeField(allow_null=True)
    priority = serializers.CharField()


class HallSlotListApi(TenantApi):
    """Bookable slots of a service on a working day (future slots only)."""

    permission_classes = [OnTenantHost, AllowAny]

    class InputSerializer(serializers.Serializer):
        service_code = serializers.CharField(max_length=12)
        day = serializers.DateField()

    class OutputSerializer(serializers.Serializer):
        start = serializers.DateTimeField()
        end = serializers.DateTimeField()
        capacity = serializers.IntegerField()
        remaining = serializers.IntegerField()

    @extend_schema(operation_id="hall_slots_list", parameters=[InputSerializer],
                   responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        slots = slots_for(calendar=hall_calendar(), **params.validated_data)
        return Response(self.OutputSerializer(slots, many=True).data)


class BookingCreateApi(TenantApi):
    class InputSerializer(serializers.Serializer):
        service_code = serializers.CharField(max_length=12)
        slot_start = serializers.DateTimeField()

    @extend_schema(operation_id="hall_bookings_create", request=InputSerializer,
                   responses={201: TicketOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = hall_services.booking_create(citizen=request.user, **data.validated_data)
        return Response(TicketOutputSerializer(ticket).data, status=status.HTTP_201_CREATED)


class BookingCancelApi(TenantApi):
    @extend_schema(operation_id="hall_bookings_cancel", request=None,
                   responses=TicketOutputSerializer)
    def post(self, request: Request, code: str) -> Response:
        ticket = hall_services.booking_cancel(actor=request.user, ticket=ticket_get(code=code))
        return Response(TicketOutputSerializer(ticket).data)


class HallBoardApi(TenantApi):
    """What the hall display board shows (public)."""

    permission_classes = [OnTenantHost, AllowAny]

    class OutputSerializer(serializers.Serializer):
        counter_code = serializers.CharField()
        counter_name = serializers.CharField()
        number = serializers.CharField()
        status = serializers.CharField()
        called_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(operation_id="hall_board", responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(board()["rows"], many=True).data)


class WaitTimeListApi(TenantApi):
    """Current waiting figures per service (public)."""

    permission_classes = [OnTenantHost, AllowAny]

    class OutputSerializer(serializers.Serializer):
        service_code = serializers.CharField()
        waiting = serializers.IntegerField()
        avg_wait_minutes = serializers.IntegerField(allow_null=True)

    @extend_schema(operation_id="hall_wait_times", responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(wait_estimates(), many=True).data)


class CounterCallNextApi(TenantStaffApi):
    @extend_schema(operation_id="hall_counter_call_next", request=None,
                   responses=TicketOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        counter = get_object_or_404(Counter, pk=pk)
        ticket: Ticket = hall_services.counter_call_next(actor=request.user, counter=counter)
        return Response(TicketOutputSerializer(ticket).data)
