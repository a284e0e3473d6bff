"""The tenant's OpenID Connect signing keys: create on first use, rotate without downtime.

Rotation makes a new `current` key, moves the old current to `previous` (still published in
the JWKS, so ID tokens it signed keep verifying until they expire) and retires the key before
that (no longer published). Relying parties that cache the JWKS pick the new key up by its
`kid` (the JWK thumbprint) on the next token they cannot verify."""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk

from audit.services import audit_record

from .crypto import seal, unseal
from .models import SigningKey

KEY_SIZE = 2048
_cache: dict[tuple[str, str], jwk.JWK] = {}


def _schema() -> str:
    from django.db import connection

    return connection.schema_name


def _generate() -> SigningKey:
    key = jwk.JWK.generate(kty="RSA", size=KEY_SIZE)
    pem = key.export_to_pem(private_key=True, password=None).decode()
    public = json.loads(key.export_public())
    kid = key.thumbprint()
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return SigningKey(kid=kid, private_key_sealed=seal(pem), public_jwk=public)


def signing_key_current() -> SigningKey:
    key = SigningKey.objects.filter(state=SigningKey.State.CURRENT).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _generate()
            key.save()
            return key
    except IntegrityError:  # created concurrently
        return SigningKey.objects.get(state=SigningKey.State.CURRENT)


def signing_key_current_jwk() -> jwk.JWK:
    key = signing_key_current()
    cache_key = (_schema(), key.kid)
    if cache_key not in _cache:
        _cache[cache_key] = jwk.JWK.from_pem(unseal(key.private_key_sealed).encode())
    return _cache[cache_key]


@transaction.atomic
def signing_key_rotate(*, actor: Any = None) -> SigningKey:
    """A new current key; the old current becomes previous; older keys are retired."""
    now = timezone.now()
    keys = list(SigningKey.objects.select_for_update().exclude(state=SigningKey.State.RETIRED))
    for key in keys:
        if key.state == SigningKey.State.PREVIOUS:
            key.state = SigningKey.State.RETIRED
            key.rotated_at = now
            key.save(update_fields=["state", "rotated_at"])
    for key in keys:
        if key.state == SigningKey.State.CURRENT:
            key.state = SigningKey.State.PREVIOUS
            key.rotated_at = now
            key.save(update_fields=["state", "rotated_at"])
    new = _generate()
    new.save()
    audit_record("oidc_signing_key.rotate", actor=actor, target=new, changes={
        "kid": new.kid,
        "previous": [k.kid for k in keys if k.state == SigningKey.State.PREVIOUS],
        "retired": [k.kid for k in keys if k.state == SigningKey.State.RETIRED],
    })
    return new


def published_jwks() -> dict[str, list[dict[str, object]]]:
    """The JWKS document: current and previous public keys."""
    signing_key_current()
    keys = SigningKey.objects.filter(
        state__in=[SigningKey.State.CURRENT, SigningKey.State.PREVIOUS]
    ).order_by("state", "-created_at")  # "current" sorts before "previous"
    return {"keys": [dict(key.public_jwk) for key in keys]}
