"""Cached fragments of the anonymous portal (the service list of /layanan/, its search
results, and the three fragments of the home: services.home).

A fragment is stored with the tenant's *portal generation*; any write that can change what the
portal shows (an offering adopted, edited, enabled or disabled, its SLA policy, an OPD's name)
bumps the generation, and a fragment stored under an older generation is rendered again. The
keys carry the tenant (django-tenants' cache key function prefixes the schema, and the schema is
in the key too), the language and the request's query. Published catalogue versions are
immutable (catalog.models), so the catalogue itself cannot change under a cached card; a
category rename shows after at most FRAGMENT_TTL seconds.

Nothing in these fragments depends on the visitor: they are rendered with `render_to_string`
and no request (no user, no context processors, no CSRF token), so anonymous and signed-in
visitors share them (services.views._fragment).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import translation
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

FRAGMENT_TTL = 300  # seconds; the generation makes changes visible at once, this bounds leftovers
_GENERATION_KEY = "portal:generation"


def _generation_key() -> str:
    return f"{_GENERATION_KEY}:{connection.schema_name}"


def portal_generation_bump() -> None:
    """Invalidate every cached portal fragment of the current tenant (after commit)."""
    key = _generation_key()

    def bump() -> None:
        try:
            try:
                cache.incr(key)
            except ValueError:  # no generation yet: the first fragment will store one
                cache.set(key, 1, None)
        except Exception:  # a cache outage must not fail the write; FRAGMENT_TTL bounds it
            logger.warning("portal cache generation not bumped (%s)", key, exc_info=True)

    transaction.on_commit(bump)


def fragment_key(name: str, *parts: object) -> str:
    raw = "\x1f".join(str(p) for p in (connection.schema_name, translation.get_language(), *parts))
    return f"portal:{name}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"


def cached_fragment(
    name: str, parts: tuple[object, ...], render: Callable[[], str], *, ttl: int = FRAGMENT_TTL
) -> str:
    """The fragment for ``parts`` from the cache, or ``render()`` stored under this generation
    for ``ttl`` seconds (live figures such as today's queue use a short one).

    One cache round trip on a hit (the generation and the fragment are read together)."""
    return cached_fragments([(name, parts, render, ttl)])[0]


def cached_fragments(
    items: Sequence[tuple[str, tuple[object, ...], Callable[[], str], int]],
) -> list[str]:
    """``cached_fragment`` for several fragments of one page, ``(name, parts, render, ttl)``
    each: the generation and all the fragments are read in one cache round trip."""
    gen_key = _generation_key()
    keys = [fragment_key(name, *parts) for name, parts, _render, _ttl in items]
    found = cache.get_many([gen_key, *keys])
    generation = found.get(gen_key)
    result: list[str] = []
    for (_name, _parts, render, ttl), key in zip(items, keys, strict=True):
        stored = found.get(key)
        if generation is not None and stored is not None and stored[0] == generation:
            # our own rendered template, stored as it was
            result.append(mark_safe(stored[1]))  # noqa: S308
            continue
        html = render()
        if generation is None:
            generation = 1
            cache.add(gen_key, generation, None)
        cache.set(key, (generation, html), ttl)
        result.append(html)
    return result


def connect_invalidation() -> None:
    """Bump the generation on every saved or deleted row the portal list shows."""
    from django.db.models.signals import post_delete, post_save

    def on_change(sender, **kwargs) -> None:
        if connection.schema_name != "public":
            portal_generation_bump()

    for model in ("services.Offering", "sla.SlaPolicy", "agencies.Agency"):
        post_save.connect(on_change, sender=model, weak=False,
                          dispatch_uid=f"portal-cache-save-{model}")
        post_delete.connect(on_change, sender=model, weak=False,
                            dispatch_uid=f"portal-cache-delete-{model}")
