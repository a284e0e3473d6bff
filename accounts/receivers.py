"""Bind each session to the host that created it (cross-cutting, hence a receiver)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from core.hosts import canonical_hostname

SESSION_HOST_KEY = "_mpp_host"
SESSION_GENERATION_KEY = "_mpp_generation"  # User.session_generation at sign-in (ADR 0010)


@receiver(user_logged_in)
def bind_session_to_host(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session") and "HTTP_HOST" in request.META:
        request.session[SESSION_HOST_KEY] = canonical_hostname(request)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_GENERATION_KEY] = getattr(user, "session_generation", 0)
