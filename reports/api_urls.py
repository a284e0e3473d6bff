from django.urls import path

from . import apis

tenant_urlpatterns = [
    path("reports/summary/", apis.ReportSummaryApi.as_view(), name="reports-summary"),
]
