"""Fixtures of the integrations tests: an OPD with an external offering in tenant A (and B),
OPD clients (OIDC relying parties), a verified citizen with a NIK, a tenant admin with an API
token. Tests run against the real schemas of conftest.py (tenant A and B)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

REDIRECT_URI = "https://sicantik.example.go.id/oidc/callback"
INITIATE_URI = "https://sicantik.example.go.id/sso/mulai"
EXTERNAL_URL = "https://sicantik.example.go.id/izin/sip"
NIK = "3273014101900001"


@pytest.fixture(scope="session")
def _integrations_catalog(django_db_setup, django_db_blocker):
    from catalog.seeding import seed_catalog

    with django_db_blocker.unblock():
        return seed_catalog()


def _published(code: str) -> Any:
    from catalog.models import ServiceVersion

    with schema_context("public"):
        return (
            ServiceVersion.objects.filter(service__code=code, status="published")
            .order_by("-number").first()
        )


def make_agency(tenant: Any, in_tenant: Any, *, short: str = "DPMPTSP") -> Any:
    from agencies.models import Agency
    from agencies.services import agency_create

    with in_tenant(tenant):
        return Agency.objects.filter(short_name=short).first() or agency_create(
            name=f"Dinas {short}", short_name=short
        )


def make_offering(tenant: Any, in_tenant: Any, *, code: str, agency: Any,
                  channel: str = "external") -> Any:
    from services.models import Offering
    from services.services import offering_adopt

    with in_tenant(tenant):
        existing = Offering.objects.filter(service_code=code).first()
        if existing is not None:
            return existing
        return offering_adopt(
            service_version=_published(code), agency=agency, channel=channel, actor=None,
            external_url=EXTERNAL_URL if channel == "external" else "",
        )


@pytest.fixture
def agency_a(tenant_a, in_tenant):
    return make_agency(tenant_a, in_tenant)


@pytest.fixture
def agency_b(tenant_b, in_tenant):
    return make_agency(tenant_b, in_tenant)


@pytest.fixture
def other_agency_a(tenant_a, in_tenant):
    return make_agency(tenant_a, in_tenant, short="DINKES")


@pytest.fixture
def external_offering(_integrations_catalog, tenant_a, in_tenant, agency_a):
    return make_offering(tenant_a, in_tenant, code="SIP-DOKTER", agency=agency_a)


@pytest.fixture
def other_offering(_integrations_catalog, tenant_a, in_tenant, other_agency_a):
    return make_offering(tenant_a, in_tenant, code="KK-UBAH", agency=other_agency_a,
                         channel="online")


@pytest.fixture
def external_offering_b(_integrations_catalog, tenant_b, in_tenant, agency_b):
    return make_offering(tenant_b, in_tenant, code="SIP-DOKTER", agency=agency_b)


@pytest.fixture
def citizen(user_factory):
    from accounts.models import CitizenProfile

    user = user_factory(phone=f"62812{uuid.uuid4().int % 10**7:07d}",
                        email_verified_at=timezone.now())
    with schema_context("public"):
        CitizenProfile.objects.filter(nik=NIK).delete()
        CitizenProfile.objects.create(user=user, nik=NIK, birth_place="Bandung", sex="P")
    return user


@dataclass
class Rp:
    """A registered OPD application with its plain secrets."""

    client: Any
    client_id: str
    client_secret: str
    signing_secret: str


@pytest.fixture
def make_rp(in_tenant):
    from integrations.services import oidc_client_register

    def _make(tenant: Any, agency: Any, *, scopes: list[str] | None = None,
              name: str = "SiCantik", redirect_uri: str = REDIRECT_URI,
              initiate_login_uri: str = "") -> Rp:
        with in_tenant(tenant):
            client, secrets_ = oidc_client_register(
                name=name, agency=agency, redirect_uris=[redirect_uri],
                allowed_scopes=scopes or ["openid", "profile", "email", "status:write"],
                initiate_login_uri=initiate_login_uri,
            )
        return Rp(client=client, client_id=client.client_id,
                  client_secret=secrets_.client_secret, signing_secret=secrets_.signing_secret)

    return _make


@pytest.fixture
def tenant_admin(staff_user, tenant_a):
    return staff_user(tenant_a)


@pytest.fixture
def admin_token(tenant_admin):
    from rest_framework.authtoken.models import Token

    with schema_context("public"):
        token, _created = Token.objects.get_or_create(user=tenant_admin)
    return token.key


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def basic_auth(client_id: str, secret: str) -> str:
    from urllib.parse import quote

    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()
