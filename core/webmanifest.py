"""The installable web-app manifest (/manifest.webmanifest) of the host: on a tenant host it
names that tenant's portal, on the platform host MPP Digital. Linked from templates/base.html."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5cad"  # --c-primary of static/css/mpp.css
BACKGROUND_COLOUR = "#ffffff"
ICON_SIZES = (192, 512)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.schema_name != "public":
        name, short_name = f"{tenant.name} · MPP Digital", tenant.name
        description = f"Mal Pelayanan Publik Digital {tenant.name}"
    else:
        name, short_name = "MPP Digital", "MPP Digital"
        description = "Mal Pelayanan Publik Digital Indonesia"
    body = {
        "name": name,
        "short_name": short_name[:30],
        "description": description,
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static(f"icons/mpp-{size}.png"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": "any"}
            for size in ICON_SIZES
        ],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False),
                            content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
