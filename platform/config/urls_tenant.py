"""URLs of a tenant host (<slug>.<base domain>): citizen portal, back office, tenant API.

Apps add pages through a `urls_tenant` module (core.discovery). Back-office pages live under
/kelola/ (BackOfficeAccessMiddleware requires a staff role there)."""

from django.urls import include, path

from agencies.views import backoffice_home
from api.urls import tenant_urlpatterns
from core.discovery import collect
from services.views import home as portal_home

handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", portal_home, name="portal-home"),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", backoffice_home, name="backoffice-home"),
    path("api/v1/", include((tenant_urlpatterns, "api"), namespace="api")),
    path("", include("api.docs_urls")),
    *collect("urls_tenant", "urlpatterns"),
]
