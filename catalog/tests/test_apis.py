from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Service
from catalog.services import service_version_create_draft, service_version_publish

LIST_URL = "/api/v1/catalog/services/"


def _get(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT="application/json")


def test_list_is_anonymous_and_paginated(catalog_seed, platform_client):
    # when
    response = _get(platform_client, LIST_URL, page_size=5)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Service.objects.count()
    assert len(body["results"]) == 5
    assert body["next"] is not None
    first = body["results"][0]
    assert set(first) == {
        "code", "category", "version", "name", "name_en", "description", "owning_agency_hint",
        "sla", "fee", "published_at",
    }
    assert first["category"]["code"] == "ADM"
    assert first["fee"] == {"amount": 0, "forbidden": True}
    assert first["sla"]["unit"] == "working_days"


def test_list_second_page(catalog_seed, platform_client):
    page1 = _get(platform_client, LIST_URL, page_size=15).json()
    page2 = _get(platform_client, LIST_URL, page_size=15, page=2).json()
    codes1 = {r["code"] for r in page1["results"]}
    codes2 = {r["code"] for r in page2["results"]}
    assert not codes1 & codes2
    assert len(codes1 | codes2) == page1["count"]
    assert page2["next"] is None


def test_list_filters_by_category(catalog_seed, platform_client):
    body = _get(platform_client, LIST_URL, category="izn", page_size=100).json()
    assert body["count"] == 7
    assert {r["category"]["code"] for r in body["results"]} == {"IZN"}
    assert _get(platform_client, LIST_URL, category="NON").json()["count"] == 0


def test_list_rejects_unknown_category(catalog_seed, platform_client):
    response = _get(platform_client, LIST_URL, category="XYZ")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "category" in response.json()["extra"]["fields"]


@pytest.mark.parametrize(("q", "expected"), [
    ("akta", {"AKTA-LAHIR", "AKTA-MATI", "AKTA-KAWIN", "AKTA-CERAI"}),
    ("sipp", {"SIPP"}),
    ("BIDAN", {"SIPB"}),
    ("tidak-ada-layanan-ini", set()),
])
def test_list_searches_name_and_code(catalog_seed, platform_client, q, expected):
    body = _get(platform_client, LIST_URL, q=q, page_size=100).json()
    assert {r["code"] for r in body["results"]} == expected


def test_list_runs_a_constant_number_of_queries(catalog_seed, platform_client):
    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            assert _get(platform_client, LIST_URL, page_size=size).status_code == 200
        return len(ctx.captured_queries)

    _get(platform_client, LIST_URL, page_size=2)  # the host's route is kept from now on
    assert count(2) == count(20)


def test_list_query_count(catalog_seed, platform_client, django_assert_num_queries):
    # host routing (search_path, domain lookup, search_path) + count + page of services with
    # their category + the published versions of that page
    with django_assert_num_queries(6):
        _get(platform_client, LIST_URL, page_size=20)


def test_list_shows_the_latest_published_version(catalog_seed, platform_client, user_factory):
    service = Service.objects.get(code="KIA")
    draft = service_version_create_draft(service=service, actor=None)
    body = _get(platform_client, LIST_URL, q="KIA").json()
    assert body["results"][0]["version"] == 2  # drafts are not public
    service_version_publish(version=draft, actor=user_factory(is_staff=True))
    body = _get(platform_client, LIST_URL, q="KIA").json()
    assert body["results"][0]["version"] == 3


def test_detail_returns_the_standar_pelayanan(catalog_seed, platform_client):
    response = _get(platform_client, f"{LIST_URL}SIP-DOKTER/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "SIP-DOKTER"
    assert body["version"] == 3  # 2: the SLA cites UU 30/2014 Pasal 53(2); 3: the workflow
    assert body["versions"] == [
        {"number": 3, "status": "published", "published_at": body["published_at"]}
    ]
    assert body["sla"]["is_platform_default"] is False
    assert body["output_document"]["validity_years"] == 5
    assert body["rules"]["max_practice_places"] == 3
    assert body["requirements"] and body["procedure"] and body["legal_basis"]
    assert body["complaints"]["sp4n_lapor"] is True
    # the workflow across OPDs (issue 13 item 7)
    steps = body["workflow"]["steps"]
    assert [s["agency_kind"] for s in steps] == ["dpmptsp", "dinkes", "dinkes", "dpmptsp", "dpmptsp"]
    assert steps[1]["sla_working_days"] == 2 and "forward" in steps[1]["outcomes"]
    assert steps[2]["optional"] is True
    assert set(body["internal_components"]) == {
        "legal_basis_text", "facilities", "competence", "internal_supervision", "staffing",
        "service_guarantee", "security_guarantee", "performance_evaluation",
    }
    assert body["fee"]["forbidden"] is False


def test_detail_is_case_insensitive_on_code(catalog_seed, platform_client):
    assert _get(platform_client, f"{LIST_URL}ktp-baru/").json()["code"] == "KTP-BARU"


def test_detail_unknown_code_is_404(catalog_seed, platform_client):
    response = _get(platform_client, f"{LIST_URL}NOPE/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert "NOPE" in body["message"]


def test_api_answers_identically_on_tenant_and_platform_hosts(
    catalog_seed, platform_client, client_a, client_b
):
    for url in (LIST_URL, f"{LIST_URL}KK-BARU/"):
        platform = _get(platform_client, url, page_size=100)
        tenant_a = _get(client_a, url, page_size=100)
        tenant_b = _get(client_b, url, page_size=100)
        assert platform.status_code == tenant_a.status_code == tenant_b.status_code == 200
        strip = lambda body: {k: v for k, v in body.items() if k not in {"next", "previous"}}  # noqa: E731
        assert strip(platform.json()) == strip(tenant_a.json()) == strip(tenant_b.json())


def test_openapi_documents_the_catalogue(catalog_seed, platform_client):
    schema = platform_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/catalog/services/" in schema["paths"]
    assert "/api/v1/catalog/services/{code}/" in schema["paths"]
    operation = schema["paths"]["/api/v1/catalog/services/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"category", "q", "page", "page_size"}
