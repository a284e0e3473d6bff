"""Per-app extension points, found by module name in INSTALLED_APPS order.

An app may provide any of these modules; the platform picks them up without editing shared
files:
- `<app>.urls_public` / `<app>.urls_tenant`: `urlpatterns` for the platform / tenant host;
- `<app>.api_urls`: `public_urlpatterns` and/or `tenant_urlpatterns` under /api/v1/;
- `<app>.seeding`: `seed_new_tenant(*, tenant)` (run while provisioning, inside the new schema)
  and `seed_demo_tenant(*, tenant)` / `seed_demo_platform()` (run by `seed_demo`), then
  `seed_demo_activity(*, tenant, days, rng)` in each live demo tenant (simulated months of
  activity, bulk-inserted, deterministic for the `random.Random` given, idempotent);
- `<app>.nav`: `PORTAL`, `BACKOFFICE`, `PLATFORM` lists of `(order, label, url_name)`;
- `<app>.schedule`: `BEAT_SCHEDULE` dict merged into Celery beat.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from django.conf import settings


def _app_names() -> list[str]:
    return [name for name in settings.INSTALLED_APPS if "." not in name and name != "django_tenants"]


def app_modules(module: str) -> Iterator[ModuleType]:
    for app in _app_names():
        try:
            yield importlib.import_module(f"{app}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{app}.{module}", app}:
                raise


@cache
def app_module_list(module: str) -> tuple[ModuleType, ...]:
    return tuple(app_modules(module))


def collect(module: str, attribute: str) -> list[object]:
    found: list[object] = []
    for mod in app_module_list(module):
        value = getattr(mod, attribute, None)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            found.extend(value)
        else:
            found.append(value)
    return found
