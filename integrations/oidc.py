"""The tenant as an OpenID Connect provider (django-oauth-toolkit): claims, pairwise subject
identifiers, per-client scopes, the consent screen, discovery and the JWKS.

- Issuer: `<scheme>://<tenant host>/o` (built from the request, so every tenant host is its
  own issuer). Discovery at `/o/.well-known/openid-configuration`, keys at
  `/o/.well-known/jwks.json` (current + previous key, see `integrations.keys`).
- Subject: pairwise by default, `base64url(HMAC-SHA256(client.subject_salt,
  "<client_id>:<user id>"))`; two OPD applications cannot correlate a citizen by `sub`.
- The NIK claim is released only when the tenant admin allowed the `nik` scope for that client
  *and* the citizen consented to it in this authorization.
- Authorization code flow only, PKCE (S256) required; client credentials only for
  `status:write` (OPD systems pushing status events).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.generic import View
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView

from .conf import SCOPE_CLAIMS, SCOPE_NIK, SCOPE_STATUS_WRITE, SCOPES, USER_SCOPES
from .keys import published_jwks

CLIENT_CREDENTIALS = "client_credentials"


def pairwise_subject(*, client: Any, user_id: int) -> str:
    mac = hmac.new(
        client.subject_salt.encode(), f"{client.client_id}:{user_id}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _profile(user: Any) -> Any:
    from accounts.models import CitizenProfile

    return CitizenProfile.objects.filter(user_id=user.pk).only("nik").first()


def user_claims(*, user: Any, client: Any) -> dict[str, Any]:
    """Every claim this client could receive about this user (filtered by scope later)."""
    claims: dict[str, Any] = {
        "sub": pairwise_subject(client=client, user_id=user.pk),
        "name": user.full_name,
        "email": user.email or None,
        "email_verified": bool(user.email and user.email_verified_at),
        "phone_number": f"+{user.phone}" if user.phone else None,
        "phone_number_verified": bool(user.phone and user.phone_verified_at),
    }
    if SCOPE_NIK in (client.allowed_scopes or []):
        profile = _profile(user)
        claims["nik"] = profile.nik if profile is not None and profile.nik else None
    return claims


class MppOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        claim: scope for scope, names in SCOPE_CLAIMS.items() for claim in names
    }

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        return user_claims(user=request.user, client=request.client)

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [claim for names in SCOPE_CLAIMS.values() for claim in names]

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any,
                        *args: Any, **kwargs: Any) -> bool:
        allowed = set(client.allowed_scopes or [])
        if not set(scopes) <= allowed:
            return False
        if getattr(request, "grant_type", None) == CLIENT_CREDENTIALS:
            return set(scopes) <= {SCOPE_STATUS_WRITE}
        return SCOPE_STATUS_WRITE not in scopes  # a citizen never grants system access

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        if getattr(request, "grant_type", None) == CLIENT_CREDENTIALS:
            return [SCOPE_STATUS_WRITE]
        return ["openid"]


class ClientScopes(BaseScopes):
    """Scopes per client: what the tenant admin allowed for this OPD application."""

    def get_all_scopes(self) -> dict[str, str]:
        return {name: str(label) for name, label in SCOPES.items()}

    def get_available_scopes(self, application: Any = None, request: Any = None,
                             *args: Any, **kwargs: Any) -> list[str]:
        if application is None:
            return list(SCOPES)
        return [s for s in SCOPES if s in (application.allowed_scopes or [])]

    def get_default_scopes(self, application: Any = None, request: Any = None,
                           *args: Any, **kwargs: Any) -> list[str]:
        return ["openid"]


def consent_items(*, user: Any, client: Any, scopes: list[str]) -> list[dict[str, Any]]:
    """What the consent screen shows: per scope, its label and the exact values released."""
    from accounts.nik import mask_nik

    claims = user_claims(user=user, client=client)
    labels = {
        "sub": "ID pengguna khusus aplikasi ini", "name": "Nama", "email": "Email",
        "email_verified": "Email terverifikasi", "phone_number": "Nomor ponsel",
        "phone_number_verified": "Nomor ponsel terverifikasi", "nik": "NIK",
    }
    items = []
    for scope in scopes:
        if scope not in USER_SCOPES:
            continue
        values = []
        for claim in SCOPE_CLAIMS.get(scope, ()):
            value = claims.get(claim)
            if claim == "nik" and value:
                value = mask_nik(value)
            if isinstance(value, bool):
                value = "ya" if value else "tidak"
            values.append({"label": labels[claim], "value": value if value else "—"})
        items.append({"scope": scope, "label": SCOPES[scope], "values": values})
    return items


class ConsentAuthorizationView(AuthorizationView):
    """The toolkit's authorization endpoint with our consent screen."""

    template_name = "integrations/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None and self.request.user.is_authenticated:
            context["consent_items"] = consent_items(
                user=self.request.user, client=application, scopes=list(context.get("scopes", []))
            )
            context["agency"] = application.agency
        return context


class DiscoveryView(ConnectDiscoveryInfoView):
    """OpenID Provider metadata with what this provider actually does."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update({
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["pairwise"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(SCOPES),
        })
        new = JsonResponse(data)
        new["Access-Control-Allow-Origin"] = "*"
        return new


class JwksView(View):
    """Current and previous public keys of this tenant."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        response = JsonResponse(published_jwks())
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=300"
        return response
