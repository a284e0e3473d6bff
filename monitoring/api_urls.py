from django.urls import path

from .apis import MonitoringSummaryApi, MonitoringTenantListApi

public_urlpatterns = [
    path("monitoring/tenants/", MonitoringTenantListApi.as_view(), name="monitoring-tenants"),
    path("monitoring/summary/", MonitoringSummaryApi.as_view(), name="monitoring-summary"),
]
