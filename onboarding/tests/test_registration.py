"""Registration on the platform host: validation, duplicates, email verification."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User
from onboarding.models import Registration
from onboarding.tests.conftest import BOYOLALI, form_data, letter


def test_register_then_verify_email(platform_client, django_capture_on_commit_callbacks):
    # when the officer registers
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post("/daftar/", form_data())
    # then a registration waits for verification and an email with the link is sent
    assert response.status_code == 302
    registration = Registration.objects.get(region_code=BOYOLALI)
    assert registration.status == Registration.Status.PENDING_VERIFICATION
    assert registration.regency_name == "Kabupaten Boyolali"
    assert not User.objects.filter(email="siti@boyolali.go.id").exists()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/daftar/verifikasi/\S+/", mail.outbox[0].body).group(0)
    # the letter is stored privately, outside media
    assert "/private/registrations/" in registration.letter.path
    # when the link is opened
    response = platform_client.get(link.split("localhost", 1)[1])
    # then the account exists with the chosen password and the ministry is waiting
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING_APPROVAL
    user = User.objects.get(email="siti@boyolali.go.id")
    assert user.check_password("Sangat-rahasia-2026")
    assert registration.user == user
    assert registration.password_hash == ""


def test_verification_links_are_checked(platform_client, db):
    response = platform_client.get("/daftar/verifikasi/palsu/")
    assert response.status_code == 400
    assert "tidak valid" in response.content.decode()


def test_existing_user_is_linked_not_overwritten(user_factory, db):
    from django.core import signing

    from onboarding.services import VERIFY_SALT, registration_create, registration_verify_email

    existing = user_factory(email="siti@boyolali.go.id")
    data = form_data()
    registration = registration_create(
        region_code=BOYOLALI, officer_name="X", officer_position="Y",
        officer_email="Siti@Boyolali.go.id", officer_phone="0276321000",
        letter=data["letter"], password="Lain-lagi-2026",
    )
    registration = registration_verify_email(token=signing.dumps(registration.pk, salt=VERIFY_SALT))
    assert registration.user_id == existing.pk
    existing.refresh_from_db()
    assert existing.check_password("rahasia-123")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"letter": letter(b"GIF89a not a pdf", "surat.pdf")}, "harus berupa berkas PDF"),
        ({"letter": letter(b"%PDF-" + b"0" * (5 * 1024 * 1024), "besar.pdf")}, "batasnya 5 MB"),
        ({"region_code": "99.99"}, "tidak ada dalam daftar Kemendagri"),
        ({"region_code": "33"}, "tidak ada dalam daftar Kemendagri"),
        ({"region_code": ""}, "Pilih kabupaten/kota"),
        ({"password2": "beda"}, "Kedua kata sandi tidak sama"),
    ],
)
def test_invalid_registrations_are_refused_and_keep_input(platform_client, overrides, message):
    response = platform_client.post("/daftar/", form_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Siti Rahayu"' in html  # what the user typed is kept
    assert Registration.objects.count() == 0


def test_duplicate_registration_is_refused(platform_client, verified_registration):
    response = platform_client.post("/daftar/", form_data(officer_email="lain@boyolali.go.id"))
    assert response.status_code == 400
    assert "Sudah ada pendaftaran untuk Kabupaten Boyolali" in response.content.decode()
    assert Registration.objects.filter(region_code=BOYOLALI).count() == 1


def test_registration_for_an_existing_tenant_is_refused(platform_client, tenant_a):
    response = platform_client.post(
        "/daftar/", form_data(region_code="32.73", regency_query="bandung")
    )
    assert response.status_code == 400
    assert "Kota Bandung sudah terdaftar" in response.content.decode()
    assert Registration.objects.count() == 0


def test_rejected_registration_allows_a_new_one(
    platform_client, verified_registration, ministry_admin
):
    from onboarding.services import registration_reject

    registration_reject(
        registration_id=verified_registration.pk, actor=ministry_admin, reason="Surat tidak sah"
    )
    response = platform_client.post("/daftar/", form_data(officer_email="baru@boyolali.go.id"))
    assert response.status_code == 302


def test_regency_search_is_the_national_list(platform_client):
    response = platform_client.get("/daftar/cari-wilayah/?regency_query=boyol", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'value="33.09"' in html
    assert "Kabupaten Boyolali" in html
    # no-JS fallback: the "Cari" button re-renders the form with results and keeps input
    response = platform_client.post("/daftar/", {**form_data(letter=""), "search": "1",
                                                 "regency_query": "sragen"})
    assert response.status_code == 200
    assert 'value="33.14"' in response.content.decode()
    assert 'value="Siti Rahayu"' in response.content.decode()


def test_registration_pages_do_not_exist_on_tenant_hosts(client_a):
    assert client_a.get("/daftar/").status_code == 404


def test_auto_approval_by_email_domain(settings, db, django_capture_on_commit_callbacks):
    from django.core import signing

    from onboarding.services import VERIFY_SALT, registration_create, registration_verify_email

    settings.MPP_AUTO_APPROVE_EMAIL_DOMAINS = ["boyolali.go.id"]
    data = form_data()
    registration = registration_create(
        region_code=BOYOLALI, officer_name="Siti", officer_position="Kepala",
        officer_email="siti@boyolali.go.id", officer_phone="0276321000",
        letter=data["letter"], password=data["password1"],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = registration_verify_email(
            token=signing.dumps(registration.pk, salt=VERIFY_SALT)
        )
    assert registration.status == Registration.Status.PROVISIONING
    assert registration.auto_approved is True
    assert registration.tenant.region_code == BOYOLALI
    assert callbacks  # provisioning is queued on commit (not run here)
