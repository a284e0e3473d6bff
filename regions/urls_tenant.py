"""Back-office pages of region management on tenant hosts (/kelola/wilayah/)."""

from django.urls import include, path

from . import views

_patterns = [
    path("kelola/wilayah/", views.manage, name="manage"),
    path("kelola/wilayah/isi-nasional/", views.prefill, name="prefill"),
    path("kelola/wilayah/unggah/", views.upload, name="upload"),
    path("kelola/wilayah/pratinjau/", views.preview, name="preview"),
    path("kelola/wilayah/terapkan/", views.apply, name="apply"),
    path("kelola/wilayah/riwayat/<int:pk>/", views.history_detail, name="history"),
]

urlpatterns = [path("", include((_patterns, "regions")))]
