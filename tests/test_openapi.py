"""The OpenAPI documents of both front doors validate with no warnings."""

import pytest
from django.core.management import call_command


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_spectacular_validates_without_warnings(db, urlconf, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf, "--file", str(out)
    )
    text = out.read_text()
    assert "openapi: 3" in text
    assert "#/components/schemas/Error" in text


def test_schema_and_docs_are_served_without_cdn(client_a):
    docs = client_a.get("/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "cdn." not in body
    assert "unpkg" not in body
    assert "jsdelivr" not in body
    assert client_a.get("/api/schema/").status_code == 200


def test_api_errors_share_one_format(client_a):
    response = client_a.get("/api/v1/agencies/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"code", "message", "extra"}


def test_each_host_documents_its_own_api(client_a, platform_client):
    tenant_doc = client_a.get("/api/schema/?format=json").json()
    platform_doc = platform_client.get("/api/schema/?format=json").json()
    assert "/api/v1/agencies/" in tenant_doc["paths"]
    assert "/api/v1/agencies/" not in platform_doc["paths"]
    assert "/api/v1/monitoring/tenants/" in platform_doc["paths"]
    assert "/api/v1/monitoring/tenants/" not in tenant_doc["paths"]
