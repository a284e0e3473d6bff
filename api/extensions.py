"""drf-spectacular: document the national API token (imported by ApiConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class NationalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.NationalTokenAuthentication"
    name = "nationalToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http", "scheme": "bearer",
            "description": (
                "National API token of the ministry or a national system "
                "(`Authorization: Bearer mpp_<prefix>_<secret>`), platform host only; refused "
                "(401) on tenant hosts. Scopes: `monitoring:read` (monitoring), `catalog:read` "
                "(catalogue), `open_data:read` (open data); a token without the endpoint's "
                "scope gets 403 `insufficient_scope`. Each token has its own rate limit per "
                "minute (429 with `extra.retry_after_seconds`)."
            ),
        }
