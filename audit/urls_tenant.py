"""The tenant's audit log in the back office (collected by core.discovery)."""

from django.urls import include, path

from . import views

app_patterns = [path("kelola/audit/", views.tenant_log, name="tenant-log")]

urlpatterns = [path("", include((app_patterns, "audit")))]
