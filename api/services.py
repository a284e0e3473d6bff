"""Create, look up and revoke national API tokens (public schema)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.services import audit_record

from .models import DEFAULT_RATE_PER_MINUTE, ApiToken

logger = logging.getLogger("api.audit")

SECRET_PREFIX = "mpp_"  # noqa: S105 - a marker, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    for _attempt in range(10):
        prefix = secrets.token_hex(4)  # 8 hex characters: no "_" inside, easy to split
        if not ApiToken.objects.filter(key_prefix=prefix).exists():
            return prefix, f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    raise RuntimeError("could not find a free API token prefix")  # pragma: no cover


def api_token_create(
    *, name: str, scopes: list[str], rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
    expires_at: datetime | None = None, owner: Any = None, actor: Any,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret. The secret is not stored (only its
    sha256): show it to the operator once. Raises django ValidationError on bad input."""
    with schema_context("public"), transaction.atomic():
        prefix, secret = _new_secret()
        token = ApiToken(
            name=(name or "").strip(), owner=owner,
            scopes=sorted(set(scopes or [])), rate_per_minute=rate_per_minute,
            expires_at=expires_at, key_prefix=prefix, key_hash=hash_secret(secret),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        token.full_clean()
        token.save()
        audit_record("api_token.create", actor=actor, target=token, changes={
            "key_prefix": token.key_prefix, "scopes": token.scopes,
            "rate_per_minute": token.rate_per_minute, "owner_id": token.owner_id,
            "expires_at": token.expires_at,
        })
    logger.info("api token created", extra={
        "token_id": token.pk, "key_prefix": token.key_prefix, "scopes": token.scopes,
        "rate_per_minute": token.rate_per_minute, "owner_id": token.owner_id,
        "actor_id": getattr(actor, "pk", None),
    })
    return token, secret


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke a token (idempotent: a revoked token keeps its first revocation)."""
    with schema_context("public"), transaction.atomic():
        now = timezone.now()
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor if getattr(actor, "pk", None) else None,
        )
        if updated:
            audit_record("api_token.revoke", actor=actor, target=token,
                         changes={"key_prefix": token.key_prefix})
        token.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if updated:
        logger.info("api token revoked", extra={
            "token_id": token.pk, "key_prefix": token.key_prefix,
            "actor_id": getattr(actor, "pk", None),
        })
    return token


def api_token_from_secret(secret: str) -> ApiToken | None:
    """The token this secret belongs to (revoked and expired ones included), or None."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    prefix, _sep, rest = secret[len(SECRET_PREFIX):].partition("_")
    if len(prefix) != 8 or not rest:
        return None
    token = ApiToken.objects.select_related("owner").filter(key_prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_secret(secret)):
        return None
    return token


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record use at most once a minute per token (one conditional UPDATE, no read)."""
    now = now or timezone.now()
    stale = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)
    token.last_used_at = now
