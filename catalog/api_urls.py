"""Catalogue API routes: public data, served on the platform host and on every tenant host."""

from django.urls import path

from .apis import CatalogServiceDetailApi, CatalogServiceListApi

_routes = [
    path("catalog/services/", CatalogServiceListApi.as_view(), name="catalog-services"),
    path(
        "catalog/services/<str:code>/", CatalogServiceDetailApi.as_view(),
        name="catalog-service-detail",
    ),
]

public_urlpatterns = list(_routes)
tenant_urlpatterns = list(_routes)
