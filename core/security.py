"""Production security helpers: error reporting (Sentry, optional) without personal data.

`sentry_init()` is called by the production settings only when `SENTRY_DSN` is set.
`scrub_event()` replaces anything that looks like a NIK (16 consecutive digits) in every string
of an event, including messages, exception values, breadcrumbs, request data and local
variables, before it leaves the process.
"""

from __future__ import annotations

import re
from typing import Any

NIK_PATTERN = re.compile(r"(?<!\d)\d{16}(?!\d)")
NIK_REPLACEMENT = "[NIK disaring]"
_MAX_DEPTH = 40


def scrub_text(value: str) -> str:
    return NIK_PATTERN.sub(NIK_REPLACEMENT, value)


def scrub(value: Any, depth: int = 0) -> Any:
    """A copy of `value` with NIK-looking numbers replaced in every string, key and int."""
    if depth > _MAX_DEPTH:
        return "[truncated]"
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return NIK_REPLACEMENT if NIK_PATTERN.fullmatch(str(value)) else value
    if isinstance(value, dict):
        return {
            (scrub_text(k) if isinstance(k, str) else k): scrub(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub(v, depth + 1) for v in value)
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry `before_send` / `before_send_transaction` hook."""
    return scrub(event)


def sentry_init(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,  # no cookies, user emails or IPs
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=lambda crumb, _hint: scrub(crumb),
    )
