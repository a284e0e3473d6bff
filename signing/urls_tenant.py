"""Tenant pages of the signing app (collected by core.discovery)."""

from django.urls import include, path

from . import views

_patterns = [
    path("verifikasi/", views.verify_pdf, name="verify-pdf"),
    path("kelola/tanda-tangan/<int:pk>/ulang/", views.retry, name="retry"),
]

urlpatterns = [path("", include((_patterns, "signing")))]
