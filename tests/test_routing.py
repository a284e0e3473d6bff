"""Host → schema routing: tenant hosts, the platform host, unknown hosts, health probes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant


def test_tenant_host_shows_its_own_name(client_a, client_b):
    # when
    page_a = client_a.get("/")
    page_b = client_b.get("/")
    # then
    assert page_a.status_code == 200
    assert "Kota Bandung" in page_a.content.decode()
    assert "Kabupaten Sragen" not in page_a.content.decode()
    assert "Kabupaten Sragen" in page_b.content.decode()


def test_tenant_host_routes_to_its_schema(client_a, tenant_a):
    response = client_a.get("/")
    assert response.wsgi_request.tenant.schema_name == tenant_a.schema_name == "kota_bandung"


def test_platform_host_serves_the_platform(platform_client):
    response = platform_client.get("/")
    assert response.status_code == 200
    assert "Mal Pelayanan Publik Digital untuk setiap kabupaten" in response.content.decode()
    assert response.wsgi_request.tenant.schema_name == "public"


@pytest.mark.parametrize("host", ["nope.localhost", "kota-bandung.localhost.evil.com", "evil.com"])
def test_unknown_host_is_a_plain_404(db, host):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Mal Pelayanan Publik Digital untuk setiap" not in body  # not the public site


def test_tenant_that_is_not_ready_is_invisible(db):
    # given a registered tenant whose schema was never provisioned
    from tenants.services import tenant_register

    tenant = tenant_register(region_code="11.01")
    assert not tenant.is_ready
    # when / then
    host = tenant.domains.get().domain
    assert Client(HTTP_HOST=host).get("/").status_code == 404


def test_suspended_tenant_shows_maintenance_page(client_a, tenant_a):
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_a.pk).update(state=Tenant.State.SUSPENDED)
    response = client_a.get("/")
    assert response.status_code == 503
    assert "ditangguhkan" in response.content.decode()


@pytest.mark.parametrize("host", ["kota-bandung.localhost", "localhost", "10.0.0.7", "nope.localhost"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_probes_answer_on_any_host(db, host, path):
    response = Client(HTTP_HOST=host).get(path)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_tenant_pages_use_tenant_local_time(client_a, tenant_a):
    from django.utils import timezone

    client_a.get("/")
    assert tenant_a.timezone == "Asia/Jakarta"
    assert timezone.get_current_timezone_name() == "Asia/Jakarta"


def test_connection_is_back_on_public_after_requests(client_a):
    client_a.get("/")
    connection.set_schema_to_public()
    assert connection.schema_name == "public"
