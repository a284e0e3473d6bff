from django.urls import path

from .apis import MyProfileApi

tenant_urlpatterns = [path("me/profile/", MyProfileApi.as_view(), name="me-profile")]
public_urlpatterns = [path("me/profile/", MyProfileApi.as_view(), name="me-profile")]
