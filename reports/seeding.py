"""Demo content of the reports app (core.discovery `seed_demo_tenant`): roll up the demo
applications' past days, so the demo dashboard reads them from the rollups at once (days not
rolled up would be computed live: correct, only slower)."""

from __future__ import annotations

from typing import Any


def seed_demo_tenant(*, tenant: Any) -> None:
    from .services import daily_figures_backfill

    daily_figures_backfill(tz=getattr(tenant, "timezone", "") or "Asia/Jakarta")
