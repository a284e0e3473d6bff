"""Pages of the applications app on the platform host (collected by core.discovery): the
citizen's vault, which belongs to no regency (docs/adr/0013), so a citizen signed in once on
the platform manages it there as on any regency's host."""

from django.urls import include, path

from . import views

app_patterns = [
    path("brankas/", views.vault, name="vault"),
    path("brankas/<int:pk>/", views.vault_document, name="vault-document"),
    path("brankas/<int:pk>/berkas/", views.vault_file, name="vault-file"),
]

urlpatterns = [path("", include((app_patterns, "applications")))]
