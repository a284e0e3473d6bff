"""Fixtures of the audit tests: tenant A with an OPD, an offering, an OPD client and a
webhook; the acting tenant admin; a request context with a known client address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import RequestFactory

CLIENT_IP = "203.0.113.7"


@dataclass
class World:
    tenant: Any
    admin: Any
    agency: Any
    offering: Any
    client: Any
    endpoint: Any


@pytest.fixture
def request_from_ip():
    """`with request_from_ip(user): ...`: writes happen as if in a request from CLIENT_IP."""
    from audit.context import request_context

    def _ctx(user: Any = None, ip: str = CLIENT_IP):
        request = RequestFactory().get("/", REMOTE_ADDR=ip)
        request.user = user
        request.request_id = "req-audit-1"
        return request_context(request)

    return _ctx


@pytest.fixture
def world(tenant_a, in_tenant, staff_user, settings) -> World:
    from integrations.services import oidc_client_register, webhook_endpoint_create
    from services.services import offering_adopt
    from services.tests.factories import service_version
    from sla.services import calendar_ensure_initial

    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    admin = staff_user(tenant_a)
    version = service_version(code="T-AUD", category_code="IZN", name="Izin Uji Audit")
    with in_tenant(tenant_a):
        from agencies.services import agency_create

        calendar_ensure_initial()
        agency = agency_create(name="Dinas Uji Audit", short_name="DUA")
        offering = offering_adopt(service_version=version, agency=agency, channel="online",
                                  actor=None)
        client, _secrets = oidc_client_register(
            name="SiCantik", agency=agency, redirect_uris=["https://sicantik.example.go.id/cb"],
            allowed_scopes=["openid", "profile"],
        )
        endpoint, _secret = webhook_endpoint_create(
            name="Penerima", url="http://127.0.0.1:9/hook", events=["application.submitted"],
        )
    return World(tenant=tenant_a, admin=admin, agency=agency, offering=offering, client=client,
                 endpoint=endpoint)
