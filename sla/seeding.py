"""Seeding of the sla app (see core.discovery)."""

from __future__ import annotations

from typing import Any

from .services import calendar_ensure_initial


def seed_new_tenant(*, tenant: Any) -> None:
    """Work calendar version 1 in the tenant's timezone (WIB/WITA/WIT from the province):
    Mon–Thu 08:00–12:00 + 13:00–16:00, Friday 08:00–11:30 + 13:30–16:30, cuti bersama
    counted as holidays. Idempotent."""
    calendar_ensure_initial(timezone_name=tenant.timezone)


def seed_demo_tenant(*, tenant: Any) -> None:
    """Demo tenants provisioned before the sla app existed get version 1 too."""
    calendar_ensure_initial(timezone_name=tenant.timezone)
