from django.urls import path

from .apis import CalendarApi

tenant_urlpatterns = [
    path("sla/calendar/", CalendarApi.as_view(), name="sla-calendar"),
]
