"""One-time codes: generation, hashing (HMAC with a per-code salt) and short-lived sealing.

The verifier keeps only `code_hash`. Because the code is delivered by a Celery task that takes
only the row id, the code is also kept *encrypted* (Fernet, key derived from SECRET_KEY) in
`sealed` until the task has sent it; the task then wipes it."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

CODE_LENGTH = 6


def ttl_seconds() -> int:
    return int(getattr(settings, "MPP_OTP_TTL", 10 * 60))


def max_attempts() -> int:
    return int(getattr(settings, "MPP_OTP_MAX_ATTEMPTS", 5))


def resend_interval() -> int:
    return int(getattr(settings, "MPP_OTP_RESEND_INTERVAL", 60))


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def new_salt() -> str:
    return secrets.token_hex(16)


def hash_code(code: str, salt: str) -> str:
    return salted_hmac("accounts.otp", f"{salt}:{code}", algorithm="sha256").hexdigest()


def code_matches(code: str, *, salt: str, code_hash: str) -> bool:
    return constant_time_compare(hash_code(code, salt), code_hash)


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"accounts.otp.seal:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(code: str) -> str:
    return _fernet().encrypt(code.encode()).decode()


def unseal(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode(), ttl=ttl_seconds() + 60).decode()
    except InvalidToken:
        return None


def normalize_code_input(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())
