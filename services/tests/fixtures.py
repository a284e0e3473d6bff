"""Shared fixtures of the services and sla tests (imported by their conftest modules)."""

from __future__ import annotations

import pytest

from agencies.services import agency_create

from .factories import service_version


@pytest.fixture
def adminduk_version(db):
    return service_version(code="T-KTP", category_code="ADM", name="KTP-el Uji")


@pytest.fixture
def permit_version(db):
    return service_version(code="T-SIP", category_code="IZN", name="SIP Dokter Uji", sla_value=5)


@pytest.fixture
def agency_a(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return agency_create(name="Dinas Kependudukan dan Pencatatan Sipil", short_name="Disdukcapil")


@pytest.fixture
def offering_a(tenant_a, in_tenant, agency_a, adminduk_version):
    from services.services import offering_adopt

    with in_tenant(tenant_a):
        return offering_adopt(
            service_version=adminduk_version, agency=agency_a, channel="online", actor=None
        )


@pytest.fixture
def permit_offering_a(tenant_a, in_tenant, agency_a, permit_version):
    from services.services import offering_adopt

    with in_tenant(tenant_a):
        return offering_adopt(
            service_version=permit_version, agency=agency_a, channel="online", actor=None
        )
