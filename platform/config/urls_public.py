"""URLs of the platform host (public schema): landing, onboarding, ministry console, admin.

Apps add pages through a `urls_public` module (core.discovery)."""

from django.contrib import admin
from django.urls import include, path

from api.urls import public_urlpatterns
from core import pages
from core.discovery import collect

handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", pages.platform_home, name="platform-home"),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((public_urlpatterns, "api"), namespace="api")),
    path("", include("api.docs_urls")),
    *collect("urls_public", "urlpatterns"),
]
