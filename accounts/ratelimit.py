"""The one request limiter of the HTML views: login and one-time-code failures, public lookups.

(The API uses DRF throttles; see docs/adr/0008 for why this is not django-axes.)

Counters live in Django's cache, always under the public schema (the cache KEY_FUNCTION prefixes
the current schema), so a delay earned on one tenant host holds on every other host.

Failure rule (per scope), so that nobody can lock another person out from their own address:
- per (identifier, IP) pair: `free_failures` failures are free, then every further failure
  blocks that pair for a growing delay (`base_delay`, doubled each time, at most `max_delay`);
  the pair forgets its failures `window` seconds after its last delay ended;
- per identifier, from any address (a looser cap): `max_per_identifier` failures within `window`
  seconds block the identifier for `lockout` seconds — the owner still gets in with a one-time
  code (`accounts:login-code`), which is a separate scope;
- per IP, for any identifier: `max_per_ip` failures within `window` block the address for
  `lockout` seconds (credential stuffing from one address).
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

    def __init__(self, message: str, *, retry_after: int, subject: str = "") -> None:
        super().__init__(message, extra={"retry_after_seconds": retry_after})
        self.retry_after = retry_after
        self.subject = subject  # "pair", "id" or "ip": what is blocked


@dataclass(frozen=True, slots=True)
class Policy:
    scope: str
    free_failures: int
    base_delay: int
    max_delay: int
    max_per_identifier: int
    max_per_ip: int
    window: int
    lockout: int


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def policy(scope: str) -> Policy:
    lockout = _setting("MPP_LOGIN_LOCKOUT", 15 * 60)
    if scope == "login":
        free, base = _setting("MPP_LOGIN_FREE_FAILURES", 4), _setting("MPP_LOGIN_BACKOFF_BASE", 60)
    else:  # one-time codes: the code's own attempt limit counts too, so start long
        free, base = _setting("MPP_OTP_FREE_FAILURES", 4), lockout
    return Policy(
        scope=scope,
        free_failures=free,
        base_delay=base,
        max_delay=max(base, _setting("MPP_LOGIN_BACKOFF_MAX", 60 * 60)),
        max_per_identifier=_setting("MPP_LOGIN_MAX_FAILURES", 30),
        max_per_ip=_setting("MPP_LOGIN_MAX_FAILURES_PER_IP", 20),
        window=_setting("MPP_LOGIN_FAILURE_WINDOW", 15 * 60),
        lockout=lockout,
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
    if identifier and ip:
        subjects.append(("pair", f"{identifier}|{ip}"))
    elif identifier:  # no address known (e.g. a test client without REMOTE_ADDR)
        subjects.append(("pair", identifier))
    if identifier:
        subjects.append(("id", identifier))
    if ip:
        subjects.append(("ip", ip))
    return subjects


def _count(key: str, *, timeout: int, refresh: bool) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    if refresh:
        cache.touch(key, timeout)
    return count


def check(scope: str, *, identifier: str, ip: str) -> None:
    """Raise RateLimited while the pair, the identifier or the IP is blocked."""
    now = time.time()
    waits = []
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            until = cache.get(_keys(scope, kind, value)[1])
            if until and until > now:
                waits.append((math.ceil(until - now), kind))
    if waits:
        wait, kind = max(waits)
        raise RateLimited(_message(scope, wait), retry_after=wait, subject=kind)


def pair_delay(rule: Policy, failures: int) -> int:
    """Seconds the pair waits after its `failures`-th failure (0 while still free)."""
    over = failures - rule.free_failures
    if over <= 0:
        return 0
    return min(rule.base_delay * 2 ** min(over - 1, 30), rule.max_delay)


def record_failure(scope: str, *, identifier: str, ip: str) -> None:
    """Count one failure; block the pair with a growing delay, the identifier or the IP at
    their caps."""
    rule = policy(scope)
    now = time.time()
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            count_key, lock_key = _keys(scope, kind, value)
            if kind == "pair":
                # the count outlives the longest delay, so the next failure waits longer
                count = _count(count_key, timeout=rule.window + rule.max_delay, refresh=True)
                delay = pair_delay(rule, count)
                if delay:
                    cache.set(lock_key, now + delay, timeout=delay)
                continue
            count = _count(count_key, timeout=rule.window, refresh=False)
            limit = rule.max_per_identifier if kind == "id" else rule.max_per_ip
            if count >= limit:
                cache.set(lock_key, now + rule.lockout, timeout=rule.lockout)
                cache.delete(count_key)


def reset(scope: str, *, identifier: str, ip: str) -> None:
    """Forget the pair's failures (after a success). The identifier's and the IP's counts stay:
    an owner's login must not give an attacker elsewhere fresh guesses."""
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            if kind == "pair":
                cache.delete_many(list(_keys(scope, kind, value)))


def clear(scope: str, *, identifier: str, ip: str = "") -> None:
    """Drop the identifier's counters and blocks, and its pair's with `ip` (after the owner
    proved control of the contact). The IP's own cap stays: proving one account's contact must
    not reopen an address for guesses at other accounts."""
    with schema_context("public"):
        for kind, value in _subjects(identifier, ip):
            if kind != "ip":
                cache.delete_many(list(_keys(scope, kind, value)))


def throttle(scope: str, *, ip: str, limit: int, period: int = 60) -> None:
    """At most `limit` requests per `period` seconds from one IP (public lookups). Raises
    RateLimited (retry after `period`) beyond that."""
    with schema_context("public"):
        count = _count(_keys(scope, "ip", ip or "unknown")[0], timeout=period, refresh=False)
    if count > limit:
        raise RateLimited(_message(scope, period), retry_after=period, subject="ip")
