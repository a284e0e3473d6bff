"""OpenID Connect relying party for a national identity provider (INApas-style).

Authorization code flow with PKCE (S256), `state` and `nonce`. The id_token's signature is
verified against the provider's JWKS (PyJWT); issuer, audience, expiry, issued-at and nonce are
checked. Configuration (settings, all optional; the feature is off without issuer+client id):

- `MPP_OIDC_ISSUER`         e.g. https://id.inapas.go.id (discovery: <issuer>/.well-known/openid-configuration)
- `MPP_OIDC_CLIENT_ID`, `MPP_OIDC_CLIENT_SECRET`
- `MPP_OIDC_SCOPES`         default "openid profile email phone"
- `MPP_OIDC_NIK_CLAIM`      default "nik"
- `MPP_OIDC_TIMEOUT`        HTTP timeout in seconds, default 10

The redirect URI is built from the current host: every tenant host is its own callback
(`<scheme>://<host>/akun/oidc/callback/`), so each must be registered at the provider.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from core.errors import ApplicationError

logger = logging.getLogger(__name__)

SESSION_KEY = "_mpp_oidc"
FLOW_MAX_AGE = 10 * 60
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                      "ES256", "ES384", "ES512")
_DISCOVERY_TTL = 3600


class OidcError(ApplicationError):
    code = "oidc_error"


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    nik_claim: str
    timeout: float


@dataclass(frozen=True, slots=True)
class OidcResult:
    claims: dict[str, Any]
    next_url: str
    link_user_id: int | None


def config() -> OidcConfig | None:
    issuer = (getattr(settings, "MPP_OIDC_ISSUER", "") or "").rstrip("/")
    client_id = getattr(settings, "MPP_OIDC_CLIENT_ID", "") or ""
    if not issuer or not client_id:
        return None
    return OidcConfig(
        issuer=issuer,
        client_id=client_id,
        client_secret=getattr(settings, "MPP_OIDC_CLIENT_SECRET", "") or "",
        scopes=getattr(settings, "MPP_OIDC_SCOPES", "") or "openid profile email phone",
        nik_claim=getattr(settings, "MPP_OIDC_NIK_CLAIM", "") or "nik",
        timeout=float(getattr(settings, "MPP_OIDC_TIMEOUT", 10)),
    )


def is_enabled() -> bool:
    return config() is not None


# --------------------------------------------------------------------------------------------
# Provider metadata (cached per process)

_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _http_json(request: urllib.request.Request | str, *, timeout: float) -> dict[str, Any]:
    url = request.full_url if isinstance(request, urllib.request.Request) else request
    if not url.startswith(("https://", "http://")):
        raise OidcError(_("Alamat penyedia identitas tidak valid."))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as exc:
        body = exc.read().decode(errors="replace")[:500]
        logger.warning("OIDC %s answered %s: %s", url, exc.code, body)
        try:
            return {"_status": exc.code, **json.loads(body)}
        except ValueError:
            return {"_status": exc.code}
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("OIDC %s unreachable: %s", url, exc)
        raise OidcError(
            _("Penyedia identitas INApas tidak dapat dihubungi. Coba lagi beberapa saat lagi.")
        ) from exc


def discovery(cfg: OidcConfig) -> dict[str, Any]:
    now = time.monotonic()
    cached = _discovery_cache.get(cfg.issuer)
    if cached and now - cached[0] < _DISCOVERY_TTL:
        return cached[1]
    meta = _http_json(f"{cfg.issuer}/.well-known/openid-configuration", timeout=cfg.timeout)
    if "_status" in meta or meta.get("issuer", "").rstrip("/") != cfg.issuer:
        raise OidcError(_("Konfigurasi penyedia identitas INApas tidak valid."))
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not str(meta.get(key, "")).startswith(("https://", "http://")):
            raise OidcError(_("Konfigurasi penyedia identitas INApas tidak lengkap."))
    with _lock:
        _discovery_cache[cfg.issuer] = (now, meta)
    return meta


def _jwks_client(jwks_uri: str) -> jwt.PyJWKClient:
    with _lock:
        client = _jwks_clients.get(jwks_uri)
        if client is None:
            client = _jwks_clients[jwks_uri] = jwt.PyJWKClient(
                jwks_uri, cache_keys=True, lifespan=_DISCOVERY_TTL, timeout=10
            )
        return client


def reset_caches() -> None:
    with _lock:
        _discovery_cache.clear()
        _jwks_clients.clear()


# --------------------------------------------------------------------------------------------
# Flow


def redirect_uri(request: HttpRequest) -> str:
    scheme = getattr(settings, "MPP_BASE_SCHEME", "") or request.scheme
    return f"{scheme}://{request.get_host()}{reverse('accounts:oidc-callback')}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def begin(request: HttpRequest, *, next_url: str) -> str:
    """Store state/nonce/PKCE verifier in the session; return the provider's authorize URL."""
    cfg = config()
    if cfg is None:
        raise OidcError(_("Masuk dengan INApas belum diaktifkan."), code="oidc_disabled")
    meta = discovery(cfg)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    challenge = _b64url(hashlib.sha256(verifier.encode()).digest())
    callback = redirect_uri(request)
    user = getattr(request, "user", None)
    request.session[SESSION_KEY] = {
        "state": state, "nonce": nonce, "verifier": verifier, "redirect_uri": callback,
        "next": next_url, "started": time.time(),
        "link_user_id": user.pk if user is not None and user.is_authenticated else None,
    }
    params = {
        "response_type": "code", "client_id": cfg.client_id, "redirect_uri": callback,
        "scope": cfg.scopes, "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }
    endpoint = meta["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode(params)}"


def complete(request: HttpRequest) -> OidcResult:
    """Handle the callback: check state, exchange the code (with the PKCE verifier), verify
    the id_token. Raises OidcError with a message for the citizen."""
    cfg = config()
    if cfg is None:
        raise OidcError(_("Masuk dengan INApas belum diaktifkan."), code="oidc_disabled")
    flow = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not flow or not state or not constant_time_compare(state, flow.get("state", "")):
        raise OidcError(
            _("Sesi masuk INApas tidak dikenali atau sudah dipakai. Silakan ulangi dari awal."),
            code="oidc_state",
        )
    if time.time() - float(flow.get("started", 0)) > FLOW_MAX_AGE:
        raise OidcError(_("Sesi masuk INApas sudah kedaluwarsa. Silakan ulangi."),
                        code="oidc_state")
    if request.GET.get("error"):
        logger.info("OIDC provider error: %s", request.GET.get("error"))
        raise OidcError(_("Masuk dengan INApas dibatalkan atau ditolak oleh penyedia."),
                        code="oidc_denied")
    code = request.GET.get("code", "")
    if not code:
        raise OidcError(_("Penyedia INApas tidak mengirimkan kode otorisasi."), code="oidc_code")
    meta = discovery(cfg)
    tokens = _exchange(cfg, meta, code=code, verifier=flow["verifier"],
                       callback=flow["redirect_uri"])
    claims = verify_id_token(cfg, meta, tokens.get("id_token", ""), nonce=flow["nonce"])
    return OidcResult(claims=claims, next_url=flow.get("next") or "/",
                      link_user_id=flow.get("link_user_id"))


def _exchange(cfg: OidcConfig, meta: dict[str, Any], *, code: str, verifier: str,
              callback: str) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code", "code": code, "redirect_uri": callback,
        "client_id": cfg.client_id, "code_verifier": verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if cfg.client_secret:
        if "client_secret_basic" in methods:
            pair = (f"{urllib.parse.quote(cfg.client_id, safe='')}:"
                    f"{urllib.parse.quote(cfg.client_secret, safe='')}")
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_secret"] = cfg.client_secret
    request = urllib.request.Request(  # noqa: S310 - scheme checked in _http_json
        meta["token_endpoint"], data=urllib.parse.urlencode(form).encode(), headers=headers,
        method="POST",
    )
    tokens = _http_json(request, timeout=cfg.timeout)
    if "_status" in tokens or "error" in tokens or not tokens.get("id_token"):
        raise OidcError(
            _("Penyedia INApas menolak kode otorisasi. Silakan ulangi masuk."), code="oidc_token"
        )
    return tokens


def verify_id_token(cfg: OidcConfig, meta: dict[str, Any], token: str, *, nonce: str
                    ) -> dict[str, Any]:
    supported = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in supported if alg in ALLOWED_ALGORITHMS]
    if not algorithms:
        raise OidcError(_("Algoritma tanda tangan INApas tidak didukung."), code="oidc_token")
    invalid = _("Token identitas dari INApas tidak sah. Silakan ulangi masuk.")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in algorithms:
            raise OidcError(invalid, code="oidc_token")
        key = _jwks_client(meta["jwks_uri"]).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token, key=key.key, algorithms=algorithms, audience=cfg.client_id,
            issuer=meta["issuer"], leeway=60,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise OidcError(_("Token identitas dari INApas sudah kedaluwarsa. Silakan ulangi masuk."),
                        code="oidc_expired") from exc
    except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
        logger.warning("OIDC id_token rejected: %s", exc)
        raise OidcError(invalid, code="oidc_token") from exc
    if not isinstance(claims.get("nonce"), str) or not constant_time_compare(
        claims["nonce"], nonce
    ):
        raise OidcError(invalid, code="oidc_nonce")
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != cfg.client_id:
        raise OidcError(invalid, code="oidc_token")
    return claims


def provider_key() -> str:
    cfg = config()
    return cfg.issuer if cfg else ""


def nik_claim() -> str:
    cfg = config()
    return cfg.nik_claim if cfg else "nik"
