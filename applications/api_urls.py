"""API routes of the applications app (tenant host only; collected by api.urls)."""

from django.urls import path

from .apis import (
    ApplicationCancelApi,
    ApplicationDetailApi,
    ApplicationListApi,
    ApplicationSubmitApi,
    ApplicationTransitionApi,
    WorklistApi,
)

tenant_urlpatterns = [
    path("applications/", ApplicationListApi.as_view(), name="applications"),
    path("applications/worklist/", WorklistApi.as_view(), name="applications-worklist"),
    path("applications/<str:ref>/", ApplicationDetailApi.as_view(), name="application-detail"),
    path("applications/<str:ref>/submit/", ApplicationSubmitApi.as_view(),
         name="application-submit"),
    path("applications/<str:ref>/cancel/", ApplicationCancelApi.as_view(),
         name="application-cancel"),
    path("applications/<str:ref>/transitions/", ApplicationTransitionApi.as_view(),
         name="application-transitions"),
]
