"""Rate limits keyed by the calling client/token (not by IP or user)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from .authentication import OpdClientPrincipal


class OpdClientRateThrottle(SimpleRateThrottle):
    """Per OPD client: 600 status reports a minute (a burst after an outage is fine)."""

    scope = "opd_client"
    rate = "600/min"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        user = getattr(request, "user", None)
        if not isinstance(user, OpdClientPrincipal):
            return None
        return f"throttle_opd_client_{user.client.client_id}"
