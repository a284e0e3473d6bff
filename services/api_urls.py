from django.urls import path

from .apis import OfferingDetailApi, OfferingListApi

tenant_urlpatterns = [
    path("offerings/", OfferingListApi.as_view(), name="offerings"),
    path("offerings/<slug:code>/", OfferingDetailApi.as_view(), name="offering-detail"),
]
