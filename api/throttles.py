"""Rate limits for APIs that national tokens read: a token gets its own limit
(`ApiToken.rate_per_minute`, keyed by token id) instead of the anonymous/user limits."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .permissions import api_token_of


class ApiTokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"
    rate = "120/min"  # placeholder; the token's own rate applies (get_cache_key)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = api_token_of(request)
        if token is None:
            return None
        self.num_requests, self.duration = token.rate_per_minute, 60
        return f"throttle_api_token_{token.pk}"


class AnonRateThrottleExceptApiToken(AnonRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if api_token_of(request) is not None:
            return None
        return super().get_cache_key(request, view)


class UserRateThrottleExceptApiToken(UserRateThrottle):
    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if api_token_of(request) is not None:
            return None
        return super().get_cache_key(request, view)


# DEFAULT_THROTTLE_CLASSES (anon, user) for everyone else, the token's rate for tokens.
API_TOKEN_AWARE_THROTTLES = [
    ApiTokenRateThrottle, AnonRateThrottleExceptApiToken, UserRateThrottleExceptApiToken,
]
