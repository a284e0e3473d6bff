"""Public catalogue pages on the platform host."""

from django.urls import include, path

from . import views

app_name = "catalog"

_patterns = [
    path("", views.catalog_list, name="list"),
    path("<str:code>/", views.catalog_detail, name="detail"),
]

urlpatterns = [path("katalog/", include((_patterns, "catalog"), namespace="catalog"))]
