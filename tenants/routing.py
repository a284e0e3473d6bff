"""Host → tenant routes kept per process (tenants.middleware.TenantRoutingMiddleware).

Every request on a tenant host looked its tenant up (two statements and a join, about a fifth
of a small page). A route is kept for MPP_TENANT_ROUTING_CACHE_SECONDS (default 5). A change
this process makes to a tenant or a domain forgets the routes at once (`forget`, on commit:
the signals below and the tenants services' `.update()` writes); other processes see a
suspension, a new domain or a new time zone within those seconds. Unknown hosts are not kept
(a flood of made-up Host headers cannot grow it).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from .models import Tenant

_routes: dict[str, tuple[float, Tenant]] = {}
_lock = threading.Lock()


def _ttl() -> float:
    return float(getattr(settings, "MPP_TENANT_ROUTING_CACHE_SECONDS", 5))


def kept(hostname: str) -> Tenant | None:
    """The tenant routed for `hostname` less than the TTL ago, or None."""
    entry = _routes.get(hostname)
    if entry is None or time.monotonic() - entry[0] >= _ttl():
        return None
    return entry[1]


def keep(hostname: str, tenant: Tenant) -> None:
    if _ttl() > 0:
        with _lock:
            _routes[hostname] = (time.monotonic(), tenant)


def forget() -> None:
    """Forget every kept route of this process now."""
    with _lock:
        _routes.clear()


def forget_on_commit() -> None:
    """Forget the routes once the current transaction commits (and now, for this one)."""
    forget()
    transaction.on_commit(forget)


def connect_invalidation() -> None:
    """Forget the routes after every saved or deleted tenant or domain."""
    from django.db.models.signals import post_delete, post_save

    def on_change(sender, **kwargs) -> None:
        forget_on_commit()

    for model in ("tenants.Tenant", "tenants.Domain"):
        post_save.connect(on_change, sender=model, weak=False,
                          dispatch_uid=f"tenant-routes-save-{model}")
        post_delete.connect(on_change, sender=model, weak=False,
                            dispatch_uid=f"tenant-routes-delete-{model}")
