"""API authentication.

- `BearerTokenAuthentication`: a person's DRF token (`Authorization: Bearer <40 hex>`).
- `NationalTokenAuthentication`: a national API token (`Authorization: Bearer mpp_…`) of the
  ministry or a national system (`api.models.ApiToken`), on the platform host only. On a
  tenant host it steps aside (returns None), so the token is refused there like any unknown
  bearer token (401)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` (and the DRF default `Token <token>`)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Token "):
            request.META["HTTP_AUTHORIZATION"] = "Bearer " + header[len("Token ") :]
        return super().authenticate(request)


class ApiTokenPrincipal(AnonymousUser):
    """`request.user` of a request made with a national token that has no owner: a system,
    not a person (no pk, no roles, `is_authenticated` False). The token is `request.auth`."""

    def __init__(self, token: Any) -> None:
        super().__init__()
        self.api_token = token

    def __str__(self) -> str:
        return f"api-token:{self.api_token.key_prefix}"


class NationalTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"
    secret_prefix = "mpp_"  # noqa: S105 - a marker, not a secret

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            return None
        try:
            secret = parts[1].decode()
        except UnicodeError:
            return None
        if not secret.startswith(self.secret_prefix):
            return None  # a person's DRF token: BearerTokenAuthentication's business
        if connection.schema_name != "public":
            return None  # national tokens do not exist on tenant hosts

        from .services import api_token_from_secret, api_token_mark_used

        token = api_token_from_secret(secret)
        if token is None:
            raise AuthenticationFailed(_("Token API tidak dikenal."), code="invalid_token")
        if token.is_revoked():
            raise AuthenticationFailed(_("Token API ini sudah dicabut."), code="token_revoked")
        now = timezone.now()
        if token.is_expired(now):
            raise AuthenticationFailed(
                _("Token API ini sudah kedaluwarsa."), code="token_expired"
            )
        owner = token.owner
        if owner is not None and not owner.is_active:
            raise AuthenticationFailed(
                _("Pemilik token API ini tidak aktif."), code="token_owner_inactive"
            )
        api_token_mark_used(token=token, now=now)
        return (owner if owner is not None else ApiTokenPrincipal(token)), token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


# Platform APIs that national systems read: national token first (it claims only `mpp_…`
# bearer tokens), then a person's bearer token and session, as in DEFAULT_AUTHENTICATION_CLASSES.
PLATFORM_API_AUTHENTICATION: list[type[BaseAuthentication]] = [
    NationalTokenAuthentication, BearerTokenAuthentication, SessionAuthentication,
]
