"""Open data on the platform host (collected by core.discovery)."""

from django.urls import include, path

from . import views

app_patterns = [
    path("", views.open_data, name="open-data"),
    path("kpi.<str:fmt>", views.open_data_export, name="open-data-export"),
]

urlpatterns = [path("data-terbuka/", include((app_patterns, "integrations")))]
