from django.urls import path

from . import apis

tenant_urlpatterns = [
    path("skm/<str:token>/", apis.SkmSubmitApi.as_view(), name="skm-submit"),
    path("complaints/", apis.ComplaintListApi.as_view(), name="complaints"),
    path("complaints/new/", apis.ComplaintCreateApi.as_view(), name="complaints-create"),
    path("complaints/track/<str:code>/", apis.ComplaintTrackApi.as_view(), name="complaints-track"),
    path("ikm/", apis.IkmApi.as_view(), name="ikm"),
]
