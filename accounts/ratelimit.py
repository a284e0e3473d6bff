"""Failure counters and lockouts for login and one-time-code endpoints.

Counters live in Django's cache, always under the public schema (the cache KEY_FUNCTION prefixes
the current schema), so a lockout earned on one tenant host holds on every other host.

Rule (per scope): after `max_per_identifier` failures for one identifier, or `max_per_ip` from one
IP address, within `window` seconds, further attempts are refused for `lockout` seconds.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from core.errors import ApplicationError


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, extra={"retry_after_seconds": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Policy:
    scope: str
    max_per_identifier: int
    max_per_ip: int
    window: int
    lockout: int


def policy(scope: str) -> Policy:
    return Policy(
        scope=scope,
        max_per_identifier=int(getattr(settings, "MPP_LOGIN_MAX_FAILURES", 5)),
        max_per_ip=int(getattr(settings, "MPP_LOGIN_MAX_FAILURES_PER_IP", 20)),
        window=int(getattr(settings, "MPP_LOGIN_FAILURE_WINDOW", 15 * 60)),
        lockout=int(getattr(settings, "MPP_LOGIN_LOCKOUT", 15 * 60)),
    )


def client_ip(request: HttpRequest | None) -> str:
    """REMOTE_ADDR (the proxy in front must set it to the client's address)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _keys(scope: str, kind: str, value: str) -> tuple[str, str]:
    base = f"mpp:rl:{scope}:{kind}:{_digest(value)}"
    return f"{base}:n", f"{base}:lock"


def _message(scope: str, seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    if scope == "login":
        return ngettext(
            "Terlalu banyak percobaan masuk. Coba lagi dalam %(n)d menit.",
            "Terlalu banyak percobaan masuk. Coba lagi dalam %(n)d menit.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Terlalu banyak percobaan kode. Coba lagi dalam %(n)d menit.",
        "Terlalu banyak percobaan kode. Coba lagi dalam %(n)d menit.",
        minutes,
    ) % {"n": minutes}


def _subjects(identifier: str, ip: str) -> list[tuple[str, str]]:
    subjects = []
    if identifier:
        subjects.append(("id", identifier))
    if ip:
        subjects.append(("ip", ip))
    return subjects


def check(scope: str, *, identifier: str, ip: str) -> None:
    """Raise RateLimited while the identifier or the IP is locked out."""
    now = time.time()
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            until = cache.get(_keys(scope, kind, value)[1])
            if until and until > now:
                raise RateLimited(_message(scope, int(until - now)), retry_after=int(until - now))


def record_failure(scope: str, *, identifier: str, ip: str) -> None:
    """Count one failure; lock the identifier/IP once its limit is reached."""
    rule = policy(scope)
    now = time.time()
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            count_key, lock_key = _keys(scope, kind, value)
            cache.add(count_key, 0, timeout=rule.window)
            try:
                count = cache.incr(count_key)
            except ValueError:  # expired between add and incr
                cache.set(count_key, 1, timeout=rule.window)
                count = 1
            limit = rule.max_per_identifier if kind == "id" else rule.max_per_ip
            if count >= limit:
                cache.set(lock_key, now + rule.lockout, timeout=rule.lockout)
                cache.delete(count_key)


def reset(scope: str, *, identifier: str) -> None:
    """Forget the identifier's failures (after a success); an active lock stays."""
    with schema_context("public"):
        cache.delete(_keys(scope, "id", identifier)[0])


def clear(scope: str, *, identifier: str = "", ip: str = "") -> None:
    """Drop counters and locks (operators, tests)."""
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            cache.delete_many(list(_keys(scope, kind, value)))
