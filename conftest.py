"""Test-session wiring: real PostgreSQL, two tenants created once per session.

Tenants: Kota Bandung (schema kota_bandung, host kota-bandung.localhost) and Kabupaten Sragen
(schema kab_sragen, host kab-sragen.localhost), both live. Each test runs in a transaction that
rolls back, and the connection is put back on the public schema afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from tests.hosts import host_of

try:  # deterministic property tests: same examples on every run, no wall-clock deadlines
    from hypothesis import settings as hypothesis_settings

    hypothesis_settings.register_profile("mpp", derandomize=True, deadline=None)
    hypothesis_settings.load_profile("mpp")
except ImportError:  # pragma: no cover
    pass

# Run the whole suite at another instant: `MPP_TEST_NOW=2027-01-01T00:05+07:00 make test`.
# The clock is moved (and keeps ticking) for this process and its threads (the live server of
# the browser tests); tests that depend on a particular date still freeze their own clock with
# the `time_machine` fixture. Instants worth trying: the 1st of a month, 31 December 23:30 WIB,
# a Friday 11:45 WIB, just after midnight UTC (see docs/testing.md).
_TEST_NOW = os.environ.get("MPP_TEST_NOW", "").strip()
if _TEST_NOW:  # pragma: no cover - exercised by the date sweep, not by the default run
    import time

    import time_machine

    if "MPP_TEST_CLOCK_OFFSET" not in os.environ:  # children (workers) follow the same clock
        _offset = datetime.fromisoformat(_TEST_NOW).timestamp() - time.time()
        os.environ["MPP_TEST_CLOCK_OFFSET"] = repr(_offset)
        _clock_dir = str(Path(__file__).resolve().parent / "tests" / "clock")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (_clock_dir, os.environ.get("PYTHONPATH", "")) if p
        )
    _traveller = time_machine.travel(
        time.time() + float(os.environ["MPP_TEST_CLOCK_OFFSET"]), tick=True
    )
    _traveller.start()


def pytest_report_header(config):
    return f"clock: {_TEST_NOW or 'real'} (MPP_TEST_NOW)"


TENANT_A_CODE = "32.73"
TENANT_B_CODE = "33.14"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, tenant_create_ready, tenant_set_state

    with django_db_blocker.unblock():
        public_tenant_ensure()
        from catalog.seeding import seed_catalog

        seed_catalog()
        for code in (TENANT_A_CODE, TENANT_B_CODE):
            tenant = tenant_create_ready(region_code=code)
            if tenant.state != Tenant.State.LIVE:
                tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
        connection.set_schema_to_public()
    yield
    from core.concurrency import beside_shutdown

    beside_shutdown()  # the side connection (core.concurrency), before the test DB is dropped


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The locmem cache, the console snapshots and the tenant routes live for the session:
    clear them so rate limits, figures and tenants never leak between tests."""
    from django.core.cache import cache

    from monitoring.selectors import console_snapshot_clear
    from tenants import routing

    cache.clear()
    console_snapshot_clear()
    routing.forget()
    yield
    cache.clear()
    console_snapshot_clear()
    routing.forget()


def _tenant(code: str):
    from tenants.models import Tenant

    with schema_context("public"):
        return Tenant.objects.get(region_code=code)


@pytest.fixture
def tenant_a(db):
    return _tenant(TENANT_A_CODE)


@pytest.fixture
def tenant_b(db):
    return _tenant(TENANT_B_CODE)


@pytest.fixture
def client_a(tenant_a) -> Client:
    return Client(HTTP_HOST=host_of(tenant_a))


@pytest.fixture
def client_b(tenant_b) -> Client:
    return Client(HTTP_HOST=host_of(tenant_b))


@pytest.fixture
def platform_client(db) -> Client:
    from django.conf import settings

    return Client(HTTP_HOST=settings.MPP_BASE_DOMAIN)


@pytest.fixture
def in_tenant():
    """`with in_tenant(tenant): ...` runs ORM code in that tenant's schema."""

    @contextmanager
    def _ctx(tenant):
        with tenant_context(tenant):
            yield tenant

    return _ctx


@pytest.fixture
def user_factory(db):
    from accounts.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def staff_user(user_factory, in_tenant):
    """Factory: a user with a role in the given tenant."""
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant

    def _make(tenant, role=StaffRole.Role.TENANT_ADMIN, agency=None, **kwargs):
        user = user_factory(**kwargs)
        with in_tenant(tenant):
            staff_role_grant(user=user, role=role, agency=agency)
        return user

    return _make
