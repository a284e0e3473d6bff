"""The citizen's own data on the platform host (collected by core.discovery)."""

from django.urls import include, path

from . import views_privacy

app_patterns = [
    path("data-saya/unduh/", views_privacy.account_export_view, name="export"),
    path("hapus/", views_privacy.account_erasure_view, name="erasure"),
]

urlpatterns = [path("akun/", include((app_patterns, "account_privacy")))]
