"""How OPD systems authenticate to the status-push API (tenant host only).

Either
- `Authorization: Bearer <access token>` obtained by the OPD client with the client
  credentials grant at `/o/token/` and the `status:write` scope; or
- an HMAC signature: `X-MPP-Client-Id: <client id>`, `X-MPP-Timestamp: <unix seconds>`,
  `X-MPP-Signature: sha256=<hex HMAC-SHA256(signing secret, "<timestamp>.<raw body>")>`;
  older than 5 minutes → 401 `stale_timestamp`, wrong → 401 `bad_signature`.

Clients and tokens live in the tenant's schema: a client or token of another tenant does
not exist here (401)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from .conf import SCOPE_STATUS_WRITE, SIGNATURE_MAX_AGE_SECONDS
from .crypto import signature_matches, unseal
from .errors import BadSignature, StaleTimestamp


class OpdClientPrincipal:
    """`request.user` of a request made by an OPD system (not a person)."""

    is_authenticated = True
    is_anonymous = False
    pk = None
    id = None

    def __init__(self, client: Any) -> None:
        self.client = client

    def __str__(self) -> str:
        return f"opd-client:{self.client.client_id}"


class OpdBearerAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[OpdClientPrincipal, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1:].strip()
        if not raw:
            raise AuthenticationFailed("Token kosong.", code="invalid_token")
        from .oidc_models import AccessToken

        checksum = hashlib.sha256(raw.encode()).hexdigest()
        token = (
            AccessToken.objects.select_related("application__agency")
            .filter(token_checksum=checksum).first()
        )
        if (
            token is None or token.application is None or not token.application.is_active
            or not token.is_valid([SCOPE_STATUS_WRITE])
        ):
            raise AuthenticationFailed("Token tidak valid untuk tenant ini.", code="invalid_token")
        return OpdClientPrincipal(token.application), token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class OpdSignatureAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[OpdClientPrincipal, None] | None:
        meta = request.META
        signature = meta.get("HTTP_X_MPP_SIGNATURE")
        if not signature:
            return None
        client_id = meta.get("HTTP_X_MPP_CLIENT_ID", "")
        timestamp = meta.get("HTTP_X_MPP_TIMESTAMP", "")
        try:
            age = abs(time.time() - int(timestamp))
        except (TypeError, ValueError):
            age = float("inf")
        if age > SIGNATURE_MAX_AGE_SECONDS:
            raise StaleTimestamp(
                "X-MPP-Timestamp hilang atau lebih dari 5 menit dari waktu server.",
                extra={"max_age_seconds": SIGNATURE_MAX_AGE_SECONDS},
            )
        from .oidc_models import OidcClient

        client = (
            OidcClient.objects.select_related("agency")
            .filter(client_id=client_id, is_active=True).first()
        )
        body = request._request.body
        if (
            client is None or not client.signing_secret_sealed
            or not signature_matches(unseal(client.signing_secret_sealed), timestamp, body,
                                     signature)
        ):
            raise BadSignature("Tanda tangan permintaan tidak cocok.")
        return OpdClientPrincipal(client), None

    def authenticate_header(self, request: Any) -> str:
        return 'MPP-HMAC realm="api"'


class IsOpdClient(BasePermission):
    message = "Hanya sistem OPD yang terdaftar."

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.user, OpdClientPrincipal)


class OpdBearerScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.OpdBearerAuthentication"
    name = "opdClientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http", "scheme": "bearer",
            "description": "Access token of an OPD client (client credentials grant at "
                           "/o/token/, scope status:write).",
        }


class OpdSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.OpdSignatureAuthentication"
    name = "opdClientSignature"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey", "in": "header", "name": "X-MPP-Signature",
            "description": "sha256=<hex HMAC-SHA256(signing secret, '<X-MPP-Timestamp>.<body>')>"
                           " with headers X-MPP-Client-Id and X-MPP-Timestamp (unix seconds,"
                           " at most 5 minutes old).",
        }
