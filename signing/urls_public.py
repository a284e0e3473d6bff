"""Platform pages of the signing app: the deployment CA certificate and its CRL."""

from django.urls import include, path

from . import views

_patterns = [
    path("tte/ca.pem", views.ca_certificate, name="ca-pem"),
    path("tte/ca.crl", views.ca_crl, name="ca-crl"),
]

urlpatterns = [path("", include((_patterns, "signing")))]
