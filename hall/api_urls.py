from django.urls import path

from . import apis

tenant_urlpatterns = [
    path("hall/slots/", apis.HallSlotListApi.as_view(), name="hall-slots"),
    path("hall/bookings/", apis.BookingCreateApi.as_view(), name="hall-bookings"),
    path("hall/bookings/<str:code>/cancel/", apis.BookingCancelApi.as_view(), name="hall-booking-cancel"),
    path("hall/board/", apis.HallBoardApi.as_view(), name="hall-board"),
    path("hall/wait-times/", apis.WaitTimeListApi.as_view(), name="hall-wait-times"),
    path("hall/counters/<int:pk>/call-next/", apis.CounterCallNextApi.as_view(), name="hall-call-next"),
]
