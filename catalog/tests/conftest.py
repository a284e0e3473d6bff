"""Catalogue test fixtures. The seed is loaded once per session into the public schema
(idempotent: a session conftest may already have loaded it)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _catalog_seeded(django_db_setup, django_db_blocker):
    from catalog.seeding import seed_catalog

    with django_db_blocker.unblock():
        return seed_catalog()


@pytest.fixture
def catalog_seed(_catalog_seeded, db):
    """The seed loader's summary; the catalogue is in the public schema."""
    return _catalog_seeded
