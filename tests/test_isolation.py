"""Tenant isolation: no page or API of tenant B shows or changes tenant A's rows."""

from __future__ import annotations

import pytest
from django.test import Client

from agencies.models import Agency, StaffRole
from agencies.services import agency_create


@pytest.fixture
def agency_in_a(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        return agency_create(name="Dinas Kependudukan dan Pencatatan Sipil", short_name="Disdukcapil")


def _counts(tenants, in_tenant) -> dict[str, int]:
    result = {}
    for tenant in tenants:
        with in_tenant(tenant):
            result[tenant.schema_name] = Agency.objects.count()
    return result


def test_rows_do_not_cross_schemas(tenant_a, tenant_b, in_tenant, agency_in_a):
    assert _counts([tenant_a, tenant_b], in_tenant) == {"kota_bandung": 1, "kab_sragen": 0}


def test_api_lists_only_own_tenant_rows(
    client_a, client_b, tenant_a, tenant_b, staff_user, agency_in_a
):
    admin_a = staff_user(tenant_a)
    admin_b = staff_user(tenant_b)
    client_a.force_login(admin_a)
    client_b.force_login(admin_b)

    listed_a = client_a.get("/api/v1/agencies/").json()
    listed_b = client_b.get("/api/v1/agencies/").json()

    assert [a["code"] for a in listed_a["results"]] == ["disdukcapil"]
    assert listed_b["results"] == []


def test_staff_of_a_cannot_use_b_api_and_nothing_changes(
    tenant_a, tenant_b, staff_user, in_tenant, agency_in_a
):
    # given an admin of A holding a session created on B's host (no role in B)
    admin_a = staff_user(tenant_a)
    client = Client(HTTP_HOST="kab-sragen.localhost")
    client.force_login(admin_a)
    before = _counts([tenant_a, tenant_b], in_tenant)
    # when
    listed = client.get("/api/v1/agencies/")
    created = client.post("/api/v1/agencies/", {"name": "OPD Palsu"}, content_type="application/json")
    # then
    assert listed.status_code == 403
    assert created.status_code == 403
    assert created.json()["code"] == "permission_denied"
    assert _counts([tenant_a, tenant_b], in_tenant) == before


def test_session_cookie_replayed_on_another_host_is_refused(
    tenant_a, tenant_b, staff_user, in_tenant
):
    # given a staff session created on A's host
    admin_a = staff_user(tenant_a)
    client = Client(HTTP_HOST="kota-bandung.localhost")
    assert client.post("/masuk/", {"identifier": admin_a.email, "password": "rahasia-123"}).status_code == 302
    assert client.get("/api/v1/me/").status_code == 200
    before = _counts([tenant_a, tenant_b], in_tenant)
    # when the same cookie is sent to B's host (also an A staff member trying A's API via B)
    thief = Client(HTTP_HOST="kab-sragen.localhost")
    thief.cookies = client.cookies
    me = thief.get("/api/v1/me/")
    # then the session is not honoured there, and nothing changed
    assert me.status_code == 401
    assert me.json()["code"] == "not_authenticated"
    assert _counts([tenant_a, tenant_b], in_tenant) == before


def test_back_office_refuses_users_without_a_role(client_a, user_factory, staff_user, tenant_b):
    citizen = user_factory()
    client_a.force_login(citizen)
    assert client_a.get("/kelola/").status_code == 403
    # a staff member of another tenant has no role here either
    other = staff_user(tenant_b)
    client_a.force_login(other)
    assert client_a.get("/kelola/").status_code == 403


def test_back_office_sends_anonymous_users_to_login(client_a):
    response = client_a.get("/kelola/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=/kelola/")


def test_back_office_admits_tenant_staff(client_a, tenant_a, staff_user):
    client_a.force_login(staff_user(tenant_a))
    response = client_a.get("/kelola/")
    assert response.status_code == 200
    assert "Admin tenant" in response.content.decode()


def test_citizens_may_use_any_tenant_portal(client_a, client_b, user_factory):
    citizen = user_factory()
    for client in (client_a, client_b):
        client.force_login(citizen)
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/me/").json()["staff_roles"] == []


def test_tenant_api_is_404_on_the_platform_host(platform_client, user_factory):
    platform_client.force_login(user_factory())
    assert platform_client.get("/api/v1/agencies/").status_code == 404


def test_staff_roles_are_per_tenant(tenant_a, tenant_b, staff_user, in_tenant):
    admin_a = staff_user(tenant_a)
    with in_tenant(tenant_a):
        assert StaffRole.objects.filter(user_id=admin_a.pk).count() == 1
    with in_tenant(tenant_b):
        assert StaffRole.objects.filter(user_id=admin_a.pk).count() == 0


def test_cache_keys_are_tenant_prefixed(tenant_a, tenant_b, in_tenant):
    from django.core.cache import cache

    with in_tenant(tenant_a):
        cache.set("dashboard", "A")
    with in_tenant(tenant_b):
        assert cache.get("dashboard") is None
    with in_tenant(tenant_a):
        assert cache.get("dashboard") == "A"
        cache.delete("dashboard")


def test_media_paths_carry_the_tenant(tenant_a, in_tenant):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with in_tenant(tenant_a):
        name = default_storage.save("probe/x.txt", ContentFile(b"x"))
        try:
            assert "kota_bandung" in default_storage.path(name)
            assert "/kota_bandung/" in default_storage.url(name)
        finally:
            default_storage.delete(name)
