from django.urls import path
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

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[]),
        name="swagger",
    ),
    path("api/redoc/", _redoc, name="redoc"),
]
