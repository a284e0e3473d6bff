"""Ministry console (platform host only; tenant hosts use another URLconf, so these 404)."""

from django.urls import include, path

from . import views

app_name = "monitoring"

_patterns = [
    path("", views.console, name="console"),
    path("ekspor.<str:fmt>", views.console_export, name="console-export"),
    path("langkah/", views.steps, name="steps"),
    path("tenant/<str:region_code>/", views.tenant_detail, name="tenant-detail"),
]

urlpatterns = [path("kementerian/", include((_patterns, "monitoring")))]
