"""Catalogue seeding hooks (core.discovery): the national catalogue is public data, loaded on
the platform by `seed_demo` (`make run`) and by test sessions."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context


def seed_catalog() -> dict[str, Any]:
    """Load catalog/seed/ into the public schema (idempotent). Returns the loader summary."""
    from .services import catalog_load_seed

    with schema_context("public"):
        return catalog_load_seed()


def seed_demo_platform() -> None:
    seed_catalog()
