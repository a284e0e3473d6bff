"""Web-level trust defects (issue 12 items 9, 12, 13): CSRF origins, JSON errors under /api/,
host names in any case and with a trailing dot."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from accounts.tests.factories import PASSWORD
from tests.hosts import host_of

# ------------------------------------------------------------------ item 12: /api/ is JSON


@pytest.mark.parametrize("path", ["/api/v1/tidak-ada/", "/api/tidak-ada", "/api/v2/me/"])
def test_unknown_api_paths_answer_in_the_api_error_format(client_a, platform_client, path):
    for client in (client_a, platform_client):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == "not_found" and body["message"] and body["extra"] == {}


def test_unknown_host_under_api_is_json_and_html_elsewhere(db):
    client = Client(HTTP_HOST="tidak-ada.localhost")
    api = client.get("/api/v1/me/")
    assert api.status_code == 404 and api.json()["code"] == "unknown_host"
    page = client.get("/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_html_pages_keep_the_html_404(client_a):
    response = client_a.get("/tidak-ada/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_csrf_failure_under_api_is_json():
    from core.views import csrf_failure

    request = RequestFactory().post("/api/v1/apa-saja/")
    response = csrf_failure(request, reason="CSRF token missing.")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "csrf_failed"
    assert csrf_failure(RequestFactory().post("/masuk/")).status_code == 403


# ------------------------------------------------------------------ item 9: CSRF origins


def _csrf_client(host: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, HTTP_HOST=host)
    client.get("/masuk/?lokal=1")  # the host's own form (plain /masuk/ goes to the platform)
    return client, client.cookies["csrftoken"].value


def test_another_tenants_origin_fails_the_csrf_check(tenant_a, tenant_b, user_factory):
    user_factory(email="csrf@example.id")
    host_a, host_b = host_of(tenant_a), host_of(tenant_b)
    client, token = _csrf_client(host_a)
    data = {"identifier": "csrf@example.id", "password": PASSWORD,
            "csrfmiddlewaretoken": token}
    # a page on tenant B (or the platform) posting to tenant A is refused
    for foreign in (f"http://{host_b}", "http://localhost"):
        refused = client.post("/masuk/", data, HTTP_ORIGIN=foreign)
        assert refused.status_code == 403, foreign
    assert client.get("/api/v1/me/").status_code in (401, 403)
    # the tenant's own origin passes
    own = client.post("/masuk/", data, HTTP_ORIGIN=f"http://{host_a}")
    assert own.status_code == 302
    assert client.get("/api/v1/me/").status_code == 200


def test_no_wildcard_trusted_origins(settings):
    assert not any("*" in origin for origin in settings.CSRF_TRUSTED_ORIGINS)


# ------------------------------------------------------------------ item 13: host spelling


@pytest.mark.parametrize("spelling", [str.upper, lambda h: h + ".", lambda h: h.title() + "."])
def test_host_names_in_any_case_and_with_a_trailing_dot_reach_the_tenant(tenant_a, spelling):
    host = spelling(host_of(tenant_a))
    response = Client(HTTP_HOST=host).get("/layanan/")
    assert response.status_code == 200, host
    assert tenant_a.name in response.content.decode()


def test_a_session_stays_valid_across_spellings_of_the_same_host(tenant_a, user_factory):
    user_factory(email="ejaan@example.id")
    host = host_of(tenant_a)
    client = Client(HTTP_HOST=host.upper())
    assert client.post("/masuk/", {"identifier": "ejaan@example.id",
                                   "password": PASSWORD}).status_code == 302
    assert client.get("/api/v1/me/", HTTP_HOST=host + ".").status_code == 200
    assert client.get("/api/v1/me/", HTTP_HOST=host).status_code == 200
