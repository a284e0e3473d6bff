from django.conf import settings
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

# The split Swagger view serves its initialiser as a separate script (no inline <script>), so
# it works under the production Content-Security-Policy. Redoc needs an inline script and is
# exempted on its own view only.
try:
    from csp.decorators import csp_update

    _redoc = csp_update({"script-src": ["'self'", "'unsafe-inline'"], "worker-src": ["blob:"]})(
        SpectacularRedocView.as_view(url_name="schema", permission_classes=[])
    )
except ImportError:  # pragma: no cover - django-csp is a locked dependency
    _redoc = SpectacularRedocView.as_view(url_name="schema", permission_classes=[])



class HostSchemaView(SpectacularAPIView):
    """The OpenAPI document of the host it is served on: platform APIs on the base domain,
    tenant APIs on a tenant host (django-tenants sets request.urlconf per host)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("api/schema/", HostSchemaView.as_view(permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[]),
        name="swagger",
    ),
    path("api/redoc/", _redoc, name="redoc"),
]
