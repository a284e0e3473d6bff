"""API v1 routes. Tenant-only endpoints refuse the platform host (404) and vice versa."""

from django.urls import path

from accounts.apis import MeApi
from agencies.apis import AgencyListApi

app_name = "api"

common_urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
]

tenant_urlpatterns = [
    *common_urlpatterns,
    path("agencies/", AgencyListApi.as_view(), name="agencies"),
]

public_urlpatterns = [
    *common_urlpatterns,
]
