"""One login for every regency (docs/adr/0010): the platform host signs a citizen in once and
hands the sign-in to a tenant host with a short-lived, single-use code bound to that host.

Flow: tenant `/masuk/` (anonymous) → platform `/akun/sso/?next=<tenant URL>&state=…` → (the
platform's own login form if needed) → tenant `/akun/sso/terima/?code=…&next=<path>` → signed
in on the tenant. No cookie is shared across hosts; each host keeps its own session, bound to
it (accounts.middleware). Signing out bumps `User.session_generation`, which ends the user's
sessions on every host at their next request (the back-channel).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SignOnHandoff, User

SALT = "accounts.sso.handoff"
STATE_SESSION_KEY = "_mpp_sso_state"
STATE_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def handoff_ttl() -> int:
    return int(getattr(settings, "MPP_SSO_HANDOFF_TTL", 60))


class HandoffRefused(Exception):
    message = _("Tautan masuk ini tidak berlaku lagi. Silakan masuk kembali.")

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """A validated place on a tenant host: scheme, host name, port and a local path (with
    query). The URL is rebuilt from these parts, never echoed from the request."""

    scheme: str
    host: str
    port: int | None
    path: str

    def url(self, path: str) -> str:
        default = {"http": 80, "https": 443}[self.scheme]
        port = f":{self.port}" if self.port not in (None, default) else ""
        return f"{self.scheme}://{self.host}{port}{path}"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _local_path(path: str) -> str | None:
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if any(ord(ch) < 32 for ch in path):
        return None
    return path


def tenant_target(next_url: str, *, scheme: str, port: int) -> Target | None:
    """The tenant host and path `next_url` points at, or None unless it is a URL on a domain of
    a routable tenant (never the platform, never elsewhere), with the scheme and port the
    platform itself is reached on (`scheme`, `port`: those of the platform request)."""
    from tenants.models import Domain

    try:
        parts = urlsplit(next_url)
        url_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != scheme or url_port != port or parts.username or parts.password:
        return None
    if not host or host == settings.MPP_BASE_DOMAIN:
        return None
    domain = (
        Domain.objects.select_related("tenant").filter(domain=host)
        .exclude(tenant__schema_name="public").first()
    )
    if domain is None or not domain.tenant.is_routable:
        return None
    path = _local_path(parts.path or "/")
    if path is None:
        return None
    query = f"?{parts.query}" if parts.query else ""
    return Target(scheme=scheme, host=host, port=port, path=path + query)


def valid_state(state: str) -> bool:
    return bool(STATE_RE.match(state or ""))


def new_state() -> str:
    return secrets.token_urlsafe(24)


def handoff_issue(*, user: User, target: Target, state: str) -> str:
    """A signed code for `target.host`, redeemable once within the TTL by the browser session
    holding `state`."""
    now = timezone.now()
    nonce = secrets.token_urlsafe(32)
    SignOnHandoff.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    SignOnHandoff.objects.create(
        user=user, nonce_hash=_hash(nonce), host=target.host, state_hash=_hash(state),
        session_generation=user.session_generation, created_at=now,
        expires_at=now + timedelta(seconds=handoff_ttl()),
    )
    return signing.dumps({"n": nonce, "h": target.host}, salt=SALT, compress=False)


def handoff_url(*, user: User, target: Target, state: str) -> str:
    code = handoff_issue(user=user, target=target, state=state)
    return target.url("/akun/sso/terima/?" + urlencode({"code": code, "next": target.path}))


def handoff_redeem(*, code: str, host: str, state: str | None) -> User:
    """The user the code signs in on `host`. Raises HandoffRefused (and changes nothing) for a
    forged, expired, replayed or foreign-host code, or one asked for by another browser."""
    try:
        payload = signing.loads(code, salt=SALT, max_age=handoff_ttl())
    except signing.SignatureExpired as exc:
        raise HandoffRefused("expired") from exc
    except signing.BadSignature as exc:
        raise HandoffRefused("bad_signature") from exc
    if not isinstance(payload, dict) or payload.get("h") != host:
        raise HandoffRefused("wrong_host")
    if not state or not valid_state(state):
        raise HandoffRefused("no_state")
    now = timezone.now()
    with transaction.atomic():
        row = (
            SignOnHandoff.objects.select_for_update()
            .filter(nonce_hash=_hash(str(payload.get("n", ""))), host=host)
            .select_related("user").first()
        )
        if row is None:
            raise HandoffRefused("unknown")
        if row.used_at is not None:
            raise HandoffRefused("replayed")
        if row.expires_at <= now:
            raise HandoffRefused("expired")
        if not secrets.compare_digest(row.state_hash, _hash(state)):
            raise HandoffRefused("wrong_browser")
        user = row.user
        if not user.is_active or row.session_generation != user.session_generation:
            raise HandoffRefused("signed_out")
        row.used_at = now
        row.save(update_fields=["used_at"])
    return user


def sign_out_everywhere(*, user: User) -> None:
    """End every session of `user` on every host (checked by SessionHostBindingMiddleware)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    SignOnHandoff.objects.filter(user=user, used_at__isnull=True).delete()
