"""Pages of core on every host: the web-app manifest (core.webmanifest)."""

from django.urls import path

from .webmanifest import manifest

urlpatterns = [path("manifest.webmanifest", manifest, name="web-manifest")]
