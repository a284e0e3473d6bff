"""Private keys at rest: PKCS#8 PEM sealed with Fernet under a key derived from
MPP_SIGNING_SECRET (when set) or SECRET_KEY, with SECRET_KEY_FALLBACKS still accepted for
reading so a secret rotation keeps keys usable; `signing_ca --reseal` rewrites them under the
current secret. The context string keeps these keys apart from integrations.crypto's."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_CONTEXT = b"mpp-digital/signing/private-key/v1"


class KeyUnreadable(Exception):
    pass


def _secrets() -> list[str]:
    primary = getattr(settings, "MPP_SIGNING_SECRET", "") or settings.SECRET_KEY
    fallbacks = [*getattr(settings, "MPP_SIGNING_SECRET_FALLBACKS", []),
                 settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    ordered = [primary]
    for secret in fallbacks:
        if secret and secret not in ordered:
            ordered.append(secret)
    return ordered


def _fernet() -> MultiFernet:
    keys = []
    for secret in _secrets():
        digest = hashlib.sha256(_CONTEXT + secret.encode()).digest()
        keys.append(Fernet(base64.urlsafe_b64encode(digest)))
    return MultiFernet(keys)


def seal(pem: bytes) -> str:
    return _fernet().encrypt(pem).decode()


def unseal(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken as exc:
        raise KeyUnreadable("signing key unreadable (MPP_SIGNING_SECRET/SECRET_KEY changed?)"
                            ) from exc


def reseal(token: str) -> str:
    """The same key sealed under the current secret."""
    return _fernet().rotate(token.encode()).decode()
