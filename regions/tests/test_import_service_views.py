"""Back office /kelola/wilayah/ and the region API, including cross-tenant negative tests."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from agencies.models import StaffRole
from agencies.services import agency_create
from regions.models import District, RegionImport, Village
from regions.tests.helpers import FIXTURES, make_csv

KOREKSI = (FIXTURES / "sragen_koreksi.csv").read_bytes()


@pytest.fixture(autouse=True)
def _private_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _snapshot(tenants, in_tenant):
    result = {}
    for tenant in tenants:
        with in_tenant(tenant):
            result[tenant.schema_name] = (
                sorted(District.objects.values_list("code", "name", "is_active")),
                sorted(Village.objects.values_list("code", "name", "is_active")),
                RegionImport.objects.count(),
            )
    return result


@pytest.fixture
def admin_b(tenant_b, staff_user):
    return staff_user(tenant_b)


def test_prefill_upload_preview_apply(client_b, admin_b, tenant_b, in_tenant):
    client_b.force_login(admin_b)
    assert client_b.get("/kelola/wilayah/").status_code == 200
    # one click fills from the national list
    response = client_b.post("/kelola/wilayah/isi-nasional/")
    assert response.status_code == 302
    with in_tenant(tenant_b):
        assert District.objects.filter(is_active=True).count() == 20
    # upload → preview shows the layout and exactly one rename
    response = client_b.post(
        "/kelola/wilayah/unggah/",
        {"file": SimpleUploadedFile("koreksi.csv", KOREKSI, "text/csv"), "sheet": ""},
    )
    assert response.status_code == 302
    preview = client_b.get("/kelola/wilayah/pratinjau/")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Lebar" in html
    assert html.count('class="change-renamed"') == 1
    assert "Jetiskarangpung" in html and "Jetis Karangpung" in html
    sha = preview.context["preview"].sha256
    # apply
    response = client_b.post("/kelola/wilayah/terapkan/", {"source": "file", "sha256": sha})
    assert response.status_code == 302
    with in_tenant(tenant_b):
        assert Village.objects.get(code="33.14.01.2004").name == "Jetis Karangpung"
        assert RegionImport.objects.count() == 2
    # search and pagination on the list
    listed = client_b.get("/kelola/wilayah/?q=Karangpung")
    assert "33.14.01.2004" in listed.content.decode()


def test_preview_lists_errors_with_rows_and_original_values(client_b, admin_b, tenant_b, in_tenant):
    client_b.force_login(admin_b)
    bad = make_csv([
        ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"],
        ["33.14.01", "Kalijambe", "33.14.01.20X1", "Keden"],
    ])
    client_b.post("/kelola/wilayah/unggah/",
                  {"file": SimpleUploadedFile("salah.csv", bad, "text/csv")})
    preview = client_b.get("/kelola/wilayah/pratinjau/")
    html = preview.content.decode()
    assert preview.status_code == 400
    assert "33.14.01.20X1" in html
    assert "<td>2</td>" in html
    # applying anyway is refused and writes nothing
    before = _snapshot([tenant_b], in_tenant)
    client_b.post("/kelola/wilayah/terapkan/",
                  {"source": "file", "sha256": preview.context["preview"].sha256})
    assert _snapshot([tenant_b], in_tenant) == before


def test_upload_without_file_keeps_the_form(client_b, admin_b):
    client_b.force_login(admin_b)
    response = client_b.post("/kelola/wilayah/unggah/", {"sheet": "Data"})
    assert response.status_code == 400
    assert "Pilih berkas CSV atau XLSX." in response.content.decode()
    assert 'value="Data"' in response.content.decode()


def test_staff_without_admin_role_gets_403(client_b, tenant_b, staff_user, in_tenant):
    with in_tenant(tenant_b):
        agency = agency_create(name="Dinas Kesehatan")
    officer = staff_user(tenant_b, role=StaffRole.Role.OFFICER, agency=agency)
    client_b.force_login(officer)
    assert client_b.get("/kelola/wilayah/").status_code == 403
    assert client_b.post("/kelola/wilayah/isi-nasional/").status_code == 403


def test_admin_of_a_cannot_import_into_b_and_nothing_changes(
    tenant_a, tenant_b, staff_user, in_tenant
):
    admin_a = staff_user(tenant_a)
    before = _snapshot([tenant_a, tenant_b], in_tenant)
    client = Client(HTTP_HOST="kab-sragen.localhost")
    client.force_login(admin_a)
    assert client.get("/kelola/wilayah/").status_code == 403
    assert client.post("/kelola/wilayah/isi-nasional/").status_code == 403
    assert client.post("/kelola/wilayah/unggah/", {
        "file": SimpleUploadedFile("k.csv", KOREKSI, "text/csv")}).status_code == 403
    assert client.post("/kelola/wilayah/terapkan/", {"source": "reference"}).status_code == 403
    assert client.get("/api/v1/regions/imports/").status_code == 403
    assert _snapshot([tenant_a, tenant_b], in_tenant) == before


def test_region_pages_do_not_exist_on_the_platform_host(platform_client, user_factory):
    platform_client.force_login(user_factory())
    assert platform_client.get("/kelola/wilayah/").status_code == 404
    assert platform_client.get("/api/v1/regions/villages/").status_code == 404


def test_api_lists_only_this_tenants_active_regions(
    client_a, client_b, tenant_a, tenant_b, in_tenant, user_factory, admin_b
):
    from regions.services import region_import_apply

    with in_tenant(tenant_b):
        region_import_apply(actor=None, source="reference")
    citizen = user_factory()
    client_a.force_login(citizen)
    client_b.force_login(citizen)
    b_villages = client_b.get("/api/v1/regions/villages/?district=33.14.01&page_size=100").json()
    assert b_villages["count"] > 0
    assert all(v["code"].startswith("33.14.01.") for v in b_villages["results"])
    assert client_a.get("/api/v1/regions/villages/").json()["count"] == 0
    assert client_a.get("/api/v1/regions/districts/").json()["count"] == 0
    assert client_b.get("/api/v1/regions/districts/").json()["count"] == 20
    # import history: tenant admin only
    assert client_b.get("/api/v1/regions/imports/").status_code == 403
    client_b.force_login(admin_b)
    assert len(client_b.get("/api/v1/regions/imports/").json()) == 1


def test_history_detail_shows_the_diff(client_b, admin_b, tenant_b, in_tenant, client_a,
                                       staff_user, tenant_a):
    from regions.services import region_import_apply

    with in_tenant(tenant_b):
        record = region_import_apply(actor=admin_b, source="reference")
    client_b.force_login(admin_b)
    html = client_b.get(f"/kelola/wilayah/riwayat/{record.pk}/").content.decode()
    assert "Ditambah (228)" in html
    # B's history id on A's host: A has no such record → 404, nothing leaks
    client_a.force_login(staff_user(tenant_a))
    assert client_a.get(f"/kelola/wilayah/riwayat/{record.pk}/").status_code == 404
