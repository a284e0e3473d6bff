"""Citizen profile: NIK rules, regions of the tenant, masking, API, prefill."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from accounts.models import CitizenProfile, User
from accounts.selectors import profile_prefill_values, user_is_verified

NIK_MALE = "3273010101900001"  # Kota Bandung, Sukasari, born 01-01-1990, man
NIK_FEMALE = "3273014202950003"  # born 02-02-1995, woman (day + 40)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(user_factory):
    return user_factory(email="warga@example.id", full_name="Ani Lestari")


@pytest.fixture
def bandung_regions(tenant_a, in_tenant):
    from regions.models import District, Village

    with in_tenant(tenant_a):
        sukasari, _ = District.objects.update_or_create(
            code="32.73.01", defaults={"name": "Sukasari", "is_active": True})
        coblong, _ = District.objects.update_or_create(
            code="32.73.02", defaults={"name": "Coblong", "is_active": True})
        District.objects.update_or_create(
            code="32.73.03", defaults={"name": "Kecamatan Lama", "is_active": False})
        Village.objects.update_or_create(code="32.73.01.1001", defaults={
            "name": "Sukarasa", "kind": "kelurahan", "district": sukasari, "is_active": True})
        Village.objects.update_or_create(code="32.73.01.1002", defaults={
            "name": "Gegerkalong", "kind": "kelurahan", "district": sukasari, "is_active": False})
        Village.objects.update_or_create(code="32.73.02.1001", defaults={
            "name": "Dago", "kind": "kelurahan", "district": coblong, "is_active": True})
    return tenant_a


def _patch(client, data):
    return client.patch("/api/v1/me/profile/", data, content_type="application/json")


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("32730101019", "NIK harus terdiri dari 16 digit angka (saat ini 11 karakter)."),
        ("3273A10101900001", "NIK harus terdiri dari 16 digit angka"),
        ("9973010101900001", "Kode provinsi 99 pada NIK"),
        ("0001010101900001", "Kode wilayah pada NIK (6 digit pertama: 000101) tidak valid"),
        ("1001010101900001", "Kode wilayah pada NIK (6 digit pertama: 100101) tidak valid"),
        ("3273000101900001", "kode kecamatan tidak boleh 00"),
        ("3273013501900001", "Tanggal lahir pada NIK (digit 7-8: 35) tidak valid"),
        ("3273010113900001", "Bulan lahir pada NIK (digit 9-10: 13) tidak valid"),
        ("3273013102900001", "tidak ada dalam kalender"),
    ],
)
def test_each_nik_failure_has_its_own_message(platform_client, citizen, nik, message):
    platform_client.force_login(citizen)
    response = _patch(platform_client, {"nik": nik})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert message in body["extra"]["fields"]["nik"][0]
    assert not CitizenProfile.objects.filter(user=citizen, nik__isnull=False).exists()


@pytest.mark.parametrize("nik", [
    "9201010101900001",  # Kab. Sorong, issued before Papua Barat Daya (UU 29/2022)
    "9101010101900001",  # Merauke, issued before Papua Selatan (UU 14/2022)
    "6405010101900001",  # Bulungan, issued before Kalimantan Utara (UU 20/2012)
])
def test_nik_with_a_retired_regency_code_completes_the_profile(platform_client, citizen, nik):
    platform_client.force_login(citizen)
    response = _patch(platform_client, {"nik": nik})
    assert response.status_code == 200, response.json()
    assert CitizenProfile.objects.get(user=citizen).nik == nik


def test_malformed_nik_region_on_the_html_profile_is_a_field_error(platform_client, citizen):
    platform_client.force_login(citizen)
    response = platform_client.post("/akun/profil/", {
        "full_name": citizen.full_name, "nik": "0012010101900001",
    })
    assert response.status_code == 400
    assert "Kode wilayah pada NIK" in response.content.decode()
    assert 'value="0012010101900001"' in response.content.decode()
    assert not CitizenProfile.objects.filter(user=citizen, nik__isnull=False).exists()


def test_nik_fills_birth_date_and_sex_and_is_masked_in_output(platform_client, citizen):
    platform_client.force_login(citizen)
    response = _patch(platform_client, {"nik": "3273 0142 0295 0003"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["nik_masked"] == "3273********0003"
    assert NIK_FEMALE not in response.content.decode()
    assert data["birth_date"] == "1995-02-02"
    assert data["sex"] == "P"
    assert platform_client.get("/api/v1/me/profile/").json()["nik_masked"] == "3273********0003"
    assert CitizenProfile.objects.get(user=citizen).nik == NIK_FEMALE


def test_nik_is_unique_per_account(platform_client, citizen, user_factory):
    other = user_factory(email="lain@example.id")
    CitizenProfile.objects.create(user=other, nik=NIK_MALE)
    platform_client.force_login(citizen)
    response = _patch(platform_client, {"nik": NIK_MALE})
    assert response.json()["extra"]["fields"]["nik"] == ["NIK ini sudah terdaftar pada akun lain."]


def test_birth_date_and_sex_must_match_the_nik(platform_client, citizen):
    platform_client.force_login(citizen)
    response = _patch(platform_client, {"nik": NIK_MALE, "birth_date": "1990-01-02", "sex": "P"})
    fields = response.json()["extra"]["fields"]
    assert fields["birth_date"] == [
        "Tanggal lahir tidak sesuai dengan NIK: menurut NIK, tanggal lahir Anda 01-01-1990."
    ]
    assert "NIK ini milik seorang laki-laki" in fields["sex"][0]
    assert "ditambah 40 untuk perempuan" in fields["sex"][0]
    ok = _patch(platform_client, {"nik": NIK_MALE, "birth_date": "1990-01-01", "sex": "L"})
    assert ok.status_code == 200


def test_tenant_profile_offers_own_kecamatan_and_checks_the_desa(
    client_a, citizen, bandung_regions
):
    client_a.force_login(citizen)
    page = client_a.get("/akun/profil/").content.decode()
    assert "Sukasari" in page and "Coblong" in page
    assert "Kecamatan Lama" not in page  # inactive
    # a desa of another kecamatan
    response = client_a.post("/akun/profil/", {
        "full_name": "Ani Lestari", "email": "warga@example.id", "nik": NIK_MALE,
        "address": "Jl. Setiabudi 12 RT 01/RW 02", "district_code": "32.73.01",
        "village_code": "32.73.02.1001",
    })
    body = response.content.decode()
    assert response.status_code == 400
    assert "Desa/kelurahan Dago tidak berada di Kecamatan Sukasari." in body
    # typed values are kept
    assert f'value="{NIK_MALE}"' in body
    assert "Jl. Setiabudi 12 RT 01/RW 02" in body
    assert '<option value="32.73.01" selected>' in body
    # an inactive kecamatan / desa is refused
    inactive = client_a.post("/akun/profil/", {
        "full_name": "Ani Lestari", "email": "warga@example.id", "district_code": "32.73.03",
    })
    assert "Pilih kecamatan yang ada di Kota Bandung." in inactive.content.decode()
    inactive_village = client_a.post("/akun/profil/", {
        "full_name": "Ani Lestari", "email": "warga@example.id", "district_code": "32.73.01",
        "village_code": "32.73.01.1002",
    })
    assert "Desa/kelurahan tidak ditemukan di Kota Bandung." in inactive_village.content.decode()
    # a valid choice is saved with the codes above it
    saved = client_a.post("/akun/profil/", {
        "full_name": "Ani Lestari", "email": "warga@example.id", "nik": NIK_MALE,
        "address": "Jl. Setiabudi 12", "district_code": "32.73.01",
        "village_code": "32.73.01.1001", "birth_place": "Bandung",
    })
    assert saved.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert (profile.province_code, profile.regency_code, profile.district_code,
            profile.village_code) == ("32", "32.73", "32.73.01", "32.73.01.1001")
    # the page never shows the full NIK back
    page = client_a.get("/akun/profil/").content.decode()
    assert NIK_MALE not in page
    assert "3273********0001" in page


def test_htmx_loads_the_villages_of_the_chosen_district(client_a, citizen, bandung_regions):
    client_a.force_login(citizen)
    response = client_a.get("/akun/profil/desa/", {"district_code": "32.73.01"},
                            HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="village-field"' in body
    assert "Sukarasa" in body
    assert "Dago" not in body and "Gegerkalong" not in body


def test_other_tenant_does_not_offer_bandung_regions(client_b, citizen, bandung_regions):
    client_b.force_login(citizen)
    response = _patch(client_b, {"district_code": "32.73.01", "village_code": "32.73.01.1001"})
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["district_code"] == [
        "Pilih kecamatan yang ada di Kabupaten Sragen."
    ]


def test_an_address_from_another_tenant_is_kept_when_not_changed(
    client_a, client_b, citizen, bandung_regions
):
    client_a.force_login(citizen)
    assert _patch(client_a, {"district_code": "32.73.01"}).status_code == 200
    client_b.force_login(citizen)
    response = client_b.post("/akun/profil/", {
        "full_name": "Ani L.", "email": "warga@example.id", "district_code": "",
    })
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen)
    assert profile.district_code == "32.73.01"
    assert User.objects.get(pk=citizen.pk).full_name == "Ani L."


def test_platform_host_checks_national_codes(platform_client, citizen):
    platform_client.force_login(citizen)
    wrong = _patch(platform_client, {"district_code": "32.73.02", "village_code": "32.73.01.1001"})
    assert wrong.json()["extra"]["fields"]["village_code"] == [
        "Desa/kelurahan 32.73.01.1001 tidak berada di kecamatan 32.73.02."
    ]
    unknown = _patch(platform_client, {"district_code": "32.73.99"})
    assert unknown.json()["extra"]["fields"]["district_code"] == [
        "Kecamatan dengan kode 32.73.99 tidak ada dalam daftar Kemendagri."
    ]
    malformed = _patch(platform_client, {"village_code": "32.73.01"})
    assert "harus 10 digit" in malformed.json()["extra"]["fields"]["village_code"][0]
    ok = _patch(platform_client, {"village_code": "3314012001"})
    assert ok.status_code == 200, ok.json()
    data = ok.json()
    assert (data["province_code"], data["regency_code"], data["district_code"],
            data["village_code"]) == ("33", "33.14", "33.14.01", "33.14.01.2001")


def test_changing_the_email_needs_a_new_verification(
    platform_client, citizen, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=citizen.pk).update(email_verified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    citizen.refresh_from_db()
    assert user_is_verified(citizen)
    platform_client.force_login(citizen)
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(platform_client, {"email": "baru@example.id"})
    assert response.json()["email_verified"] is False
    assert mail.outbox[-1].to == ["baru@example.id"]
    citizen.refresh_from_db()
    assert not user_is_verified(citizen)


def test_contacts_must_be_unique_and_valid(platform_client, citizen, user_factory):
    user_factory(email="dipakai@example.id")
    platform_client.force_login(citizen)
    fields = _patch(platform_client, {"email": "dipakai@example.id", "phone": "021"}).json()[
        "extra"]["fields"]
    assert fields["email"] == ["Email ini sudah dipakai akun lain."]
    assert "Nomor ponsel tidak valid" in fields["phone"][0]


def test_profile_api_needs_login(platform_client, client_a):
    assert platform_client.get("/api/v1/me/profile/").status_code == 401
    assert client_a.patch("/api/v1/me/profile/", {}, content_type="application/json"
                          ).status_code == 401


def test_prefill_values_for_the_applications_app(platform_client, citizen):
    assert profile_prefill_values(citizen) == {
        "full_name": "Ani Lestari", "email": "warga@example.id",
    }
    platform_client.force_login(citizen)
    _patch(platform_client, {"nik": NIK_MALE, "phone": "0812 1111 2222", "birth_place": "Bandung",
                             "address": "Jl. Dago 1", "village_code": "32.73.01.1001"})
    citizen.refresh_from_db()
    assert profile_prefill_values(citizen) == {
        "nik": NIK_MALE, "full_name": "Ani Lestari", "birth_place": "Bandung",
        "birth_date": dt.date(1990, 1, 1), "sex": "L", "address": "Jl. Dago 1",
        "district_code": "32.73.01", "village_code": "32.73.01.1001", "phone": "6281211112222",
        "email": "warga@example.id",
    }


def test_admin_lists_and_shows_the_nik_masked(platform_client, user_factory, citizen):
    CitizenProfile.objects.create(user=citizen, nik=NIK_MALE)
    operator = user_factory(email="ops@example.id", is_staff=True, is_superuser=True)
    platform_client.force_login(operator)
    listing = platform_client.get("/admin/accounts/citizenprofile/")
    assert listing.status_code == 200
    assert "3273********0001" in listing.content.decode()
    assert NIK_MALE not in listing.content.decode()
    profile = CitizenProfile.objects.get(user=citizen)
    change = platform_client.get(f"/admin/accounts/citizenprofile/{profile.pk}/change/")
    assert change.status_code == 200
    assert NIK_MALE not in change.content.decode()
    assert "3273********0001" in str(profile)


def test_nav_has_my_account_on_portal_and_platform(client_a, platform_client):
    for client in (client_a, platform_client):
        body = client.get("/").content.decode()
        assert "Akun saya" in body
        assert 'href="/akun/profil/"' in body


def test_profile_page_requires_login(client_a):
    response = client_a.get("/akun/profil/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")
