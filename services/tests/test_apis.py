"""/api/v1/offerings/: anonymous directory, admin adopt/update, cross-tenant negatives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import StaffRole
from services.models import Offering
from services.tests.factories import service_version
from sla.models import SlaPolicy


def _snapshot(tenant, in_tenant) -> list[tuple]:
    with in_tenant(tenant):
        return list(
            Offering.objects.order_by("pk").values_list(
                "service_code", "service_version_id", "agency_id", "channel",
                "local_fee_amount", "local_requirements", "is_enabled",
            )
        ) + list(SlaPolicy.objects.order_by("pk").values_list("target_value", "target_unit"))


def test_anonymous_list_and_filters(client_a, offering_a, permit_offering_a):
    body = client_a.get("/api/v1/offerings/").json()
    assert body["count"] == 2
    by_code = {row["code"]: row for row in body["results"]}
    assert by_code["T-KTP"]["sla"]["text"] == "1 hari kerja"
    assert by_code["T-KTP"]["fee"] == {
        "amount": 0, "national_amount": 0, "local_amount": 0, "forbidden": True,
        "basis": "UU 24/2013 Pasal 79A",
    }
    assert by_code["T-KTP"]["apply_url"] == "/permohonan/baru/T-KTP/"
    assert [r["code"] for r in client_a.get(
        "/api/v1/offerings/", {"category": "IZN"}).json()["results"]] == ["T-SIP"]
    assert [r["code"] for r in client_a.get(
        "/api/v1/offerings/", {"search": "ktp"}).json()["results"]] == ["T-KTP"]
    bad = client_a.get("/api/v1/offerings/", {"category": "XYZ"})
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"


def test_list_query_count_is_constant(client_a, tenant_a, in_tenant, agency_a, offering_a):
    from services.services import offering_adopt

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get("/api/v1/offerings/").status_code == 200
        return len(ctx.captured_queries)

    client_a.get("/api/v1/offerings/")  # the host's route is kept from now on (tenants.routing)
    one = count()
    with in_tenant(tenant_a):
        for n in range(4):
            offering_adopt(
                service_version=service_version(code=f"T-IZN{n}", category_code="IZN"),
                agency=agency_a, channel="online", actor=None,
            )
    assert client_a.get("/api/v1/offerings/").json()["count"] == 5
    assert count() == one


def test_anonymous_detail_and_disabled_is_404(client_a, tenant_a, in_tenant, offering_a,
                                              staff_user):
    body = client_a.get("/api/v1/offerings/t-ktp/").json()
    assert body["code"] == "T-KTP"
    assert body["requirements"][0] == {
        "code": "kk", "label": "Kartu Keluarga", "kind": "document", "required": True,
        "local": False, "justification": "",
    }
    assert body["procedure"][0]["title"] == "Mengajukan"
    from services.services import offering_set_enabled

    with in_tenant(tenant_a):
        offering_set_enabled(offering=offering_a, is_enabled=False, actor=None)
    response = client_a.get("/api/v1/offerings/T-KTP/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client_a.force_login(staff_user(tenant_a))
    assert client_a.get("/api/v1/offerings/T-KTP/").json()["is_enabled"] is False


def test_admin_adopts_through_the_api(client_a, tenant_a, in_tenant, staff_user, agency_a,
                                      permit_version):
    client_a.force_login(staff_user(tenant_a))
    response = client_a.post("/api/v1/offerings/", {
        "service_code": "T-SIP", "agency_code": agency_a.code, "channel": "external",
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "external_url": ["Tautan aplikasi OPD wajib diisi bila kanalnya aplikasi OPD."]
    }
    response = client_a.post("/api/v1/offerings/", {
        "service_code": "T-SIP", "agency_code": agency_a.code, "channel": "external",
        "external_url": "https://sip.example.go.id/",
    }, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["sla"]["text"] == "5 hari kerja"
    again = client_a.post("/api/v1/offerings/", {
        "service_code": "T-SIP", "agency_code": agency_a.code, "channel": "online",
    }, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_adopted"
    missing = client_a.post("/api/v1/offerings/", {
        "service_code": "NOPE", "agency_code": agency_a.code, "channel": "online",
    }, content_type="application/json")
    assert missing.status_code == 400 and "service_code" in missing.json()["extra"]["fields"]


def test_patch_refuses_an_adminduk_fee_and_changes_nothing(
    client_a, tenant_a, in_tenant, staff_user, offering_a
):
    client_a.force_login(staff_user(tenant_a))
    before = _snapshot(tenant_a, in_tenant)
    response = client_a.patch("/api/v1/offerings/T-KTP/", {
        "local_fee_amount": 10000, "local_fee_basis": "Perda", "channel": "counter",
    }, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "fee_forbidden"
    assert "UU 24/2013 Pasal 79A" in body["message"]
    assert _snapshot(tenant_a, in_tenant) == before
    ok = client_a.patch("/api/v1/offerings/T-KTP/", {
        "channel": "counter", "is_enabled": False,
        "local_requirements": [{"code": "surat_rt", "label": "Surat RT", "kind": "document",
                                "required": True}],
    }, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["channel"] == "counter" and ok.json()["is_enabled"] is False
    assert ok.json()["requirements"][-1]["local"] is True


@pytest.mark.parametrize("role", ["citizen", "officer", "anonymous"])
def test_only_the_tenant_admin_may_write(client_a, tenant_a, in_tenant, staff_user, user_factory,
                                         agency_a, offering_a, permit_version, role):
    if role == "citizen":
        client_a.force_login(user_factory())
    elif role == "officer":
        client_a.force_login(staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=agency_a))
    before = _snapshot(tenant_a, in_tenant)
    created = client_a.post("/api/v1/offerings/", {
        "service_code": "T-SIP", "agency_code": agency_a.code, "channel": "online",
    }, content_type="application/json")
    patched = client_a.patch("/api/v1/offerings/T-KTP/", {"is_enabled": False},
                             content_type="application/json")
    expected = 401 if role == "anonymous" else 403
    assert (created.status_code, patched.status_code) == (expected, expected)
    assert _snapshot(tenant_a, in_tenant) == before


def test_admin_of_b_cannot_read_or_change_a_through_any_host(
    tenant_a, tenant_b, in_tenant, staff_user, client_a, client_b, offering_a, agency_a
):
    admin_b = staff_user(tenant_b)
    client_a.force_login(admin_b)
    client_b.force_login(admin_b)
    before = _snapshot(tenant_a, in_tenant)
    # on A's host B's admin has no role
    assert client_a.patch("/api/v1/offerings/T-KTP/", {"is_enabled": False},
                          content_type="application/json").status_code == 403
    # on B's host A's rows do not exist
    assert client_b.get("/api/v1/offerings/").json()["count"] == 0
    assert client_b.get("/api/v1/offerings/T-KTP/").status_code == 404
    assert client_b.patch("/api/v1/offerings/T-KTP/", {"is_enabled": False},
                          content_type="application/json").status_code == 404
    assert client_b.post("/api/v1/offerings/", {
        "service_code": "T-KTP", "agency_code": agency_a.code, "channel": "online",
    }, content_type="application/json").status_code == 400  # no such OPD in B
    assert _snapshot(tenant_a, in_tenant) == before
    assert _snapshot(tenant_b, in_tenant) == []


def test_offerings_api_is_404_on_the_platform_host(platform_client):
    assert platform_client.get("/api/v1/offerings/").status_code == 404
