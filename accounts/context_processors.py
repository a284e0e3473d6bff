"""Template context for every page (wired in TEMPLATES by the platform settings)."""

from __future__ import annotations

from django.http import HttpRequest

from .selectors import user_is_verified


def account_status(request: HttpRequest) -> dict[str, object]:
    """`account_unverified`: a logged-in account without any verified contact (show the
    banner `accounts/_unverified_banner.html`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"account_unverified": False}
    return {"account_unverified": not user_is_verified(user)}
