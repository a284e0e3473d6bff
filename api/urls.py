"""API v1 routes, collected from each app's `api_urls` module (see core.discovery).

Tenant-only endpoints refuse the platform host (404) and vice versa (api.base)."""

from django.urls import path

from accounts.apis import MeApi
from agencies.apis import AgencyListApi
from core.discovery import collect

app_name = "api"

tenant_urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("agencies/", AgencyListApi.as_view(), name="agencies"),
    *collect("api_urls", "tenant_urlpatterns"),
]

public_urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    *collect("api_urls", "public_urlpatterns"),
]
