"""Monitoring API: ministry only, platform host only, same figures as the console."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

TENANTS = "/api/v1/monitoring/tenants/"
SUMMARY = "/api/v1/monitoring/summary/"


def test_api_with_bearer_token(platform_client, ministry_user, tenant_a, tenant_b, make_rollups):
    make_rollups(tenant_a, met=3, missed=1)
    token = Token.objects.create(user=ministry_user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.key}"}
    response = platform_client.get(TENANTS, {"q": "32.73"}, **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["region_code"] == "32.73"
    assert item["sla_compliance_pct"] == 75.0
    assert item["band"] == "poor"
    summary = platform_client.get(SUMMARY, **auth).json()
    assert summary["national"]["tenants"] >= 2
    assert any(p["code"] == "32" for p in summary["provinces"])
    assert summary["best"][0]["region_code"] == "32.73"


def test_api_refuses_non_ministry_and_anonymous(platform_client, user_factory):
    assert platform_client.get(TENANTS).status_code == 401
    platform_client.force_login(user_factory())
    response = platform_client.get(SUMMARY)
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "extra"}


def test_api_does_not_exist_on_tenant_hosts(client_a, ministry_user):
    client_a.force_login(ministry_user)
    assert client_a.get(TENANTS).status_code == 404
    assert client_a.get(SUMMARY).status_code == 404


def test_api_is_documented(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="config.urls_public").get_schema(request=None, public=True)
    assert "/api/v1/monitoring/tenants/" in schema["paths"]
    assert "/api/v1/monitoring/summary/" in schema["paths"]
    params = {p["name"] for p in schema["paths"][TENANTS]["get"]["parameters"]}
    assert {"q", "province", "state", "band", "sort", "page"} <= params
    summary = schema["paths"][SUMMARY]["get"]["responses"]["200"]["content"]["application/json"]
    assert summary["schema"]["$ref"].endswith("/MonitoringSummary")
