"""The platform-wide audit log in the ministry console (collected by core.discovery)."""

from django.urls import include, path

from . import views

app_patterns = [path("kementerian/audit/", views.platform_log, name="platform-log")]

urlpatterns = [path("", include((app_patterns, "audit")))]
