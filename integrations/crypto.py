"""Secrets at rest and HMAC signatures.

Secrets the platform must read back (OPD signing secrets, webhook secrets, OIDC private keys)
are sealed with Fernet under a key derived from SECRET_KEY (and SECRET_KEY_FALLBACKS, so a
SECRET_KEY rotation keeps them readable while the old key is listed as a fallback)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_CONTEXT = b"mpp-digital/integrations/seal/v1"


def _fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(_CONTEXT + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # pragma: no cover - only after losing SECRET_KEY
        raise ValueError("sealed secret unreadable (SECRET_KEY changed?)") from exc


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, f"{timestamp}.{body}")."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    expected = sign(secret, timestamp, body)
    candidates = [part.strip() for part in (signature or "").split(",") if part.strip()]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
