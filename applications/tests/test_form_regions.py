"""Kecamatan/desa on application forms (issue 17): the desa list follows the chosen kecamatan
(htmx, as on the profile page), a desa of another kecamatan is refused on the server, and a
tenant without regions says why the form cannot be sent."""

from __future__ import annotations

import uuid

import pytest

from applications.errors import InvalidApplication
from applications.models import Application
from applications.tests.conftest import COBLONG, DAGO, SARIJADI, SUKASARI, ktp_form_data


def test_a_desa_of_another_kecamatan_is_refused_and_nothing_is_saved(
    citizen, ktp_offering, ktp_docs, regions_a, tenant_a, in_tenant
):
    from applications.services import application_submit

    with in_tenant(tenant_a):
        with pytest.raises(InvalidApplication) as err:
            application_submit(
                applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=ktp_offering,
                form_data=ktp_form_data(kecamatan=SUKASARI, desa=DAGO), documents=ktp_docs,
            )
        assert err.value.extra["fields"] == {"desa": [
            "Dago tidak berada di Kecamatan Sukasari. Pilih desa/kelurahan dari kecamatan "
            "yang dipilih."
        ]}
        assert not Application.objects.exists()
        # the matching pair goes through
        submitted, _replayed = application_submit(
            applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=ktp_offering,
            form_data=ktp_form_data(kecamatan=COBLONG, desa=DAGO), documents=ktp_docs,
            share_consent=True,
        )
        assert submitted.form_data["desa"] == DAGO


def test_web_form_refuses_a_mismatched_pair_with_the_reason(
    client_a, citizen, ktp_offering, ktp_docs, regions_a, tenant_a, in_tenant
):
    client_a.force_login(citizen)
    data = {**ktp_form_data(desa=DAGO), "idempotency_key": uuid.uuid4().hex, "action": "submit",
            "doc_kk": ktp_docs["kk"], "doc_ktp_lama": ktp_docs["ktp_lama"]}
    response = client_a.post("/permohonan/baru/KTP-UBAH/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dago tidak berada di Kecamatan Sukasari" in html
    # the desa list shown again is that of the chosen kecamatan
    assert f'value="{SARIJADI}"' in html and f'value="{DAGO}"' not in html
    with in_tenant(tenant_a):
        assert not Application.objects.exclude(status="draft").exists()


def test_desa_list_follows_the_chosen_kecamatan_through_htmx(
    client_a, citizen, ktp_offering, regions_a
):
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/baru/KTP-UBAH/").content.decode()
    assert 'hx-get="/permohonan/baru/KTP-UBAH/desa/?versi=' in page
    assert 'hx-target="#village-desa"' in page and 'id="village-desa"' in page
    response = client_a.get(
        "/permohonan/baru/KTP-UBAH/desa/", {"isian": "desa", "kecamatan": COBLONG},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<div id="village-desa">')
    assert f'value="{DAGO}"' in fragment and f'value="{SARIJADI}"' not in fragment
    assert 'name="desa"' in fragment
    # an unknown field is not served
    assert client_a.get("/permohonan/baru/KTP-UBAH/desa/", {"isian": "nama"}).status_code == 404


def test_form_of_a_tenant_without_regions_says_why_it_cannot_be_sent(
    client_a, citizen, ktp_offering
):
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/baru/KTP-UBAH/").content.decode()
    assert 'id="regions-missing"' in page
    assert "Daftar kecamatan dan desa/kelurahan Kota Bandung belum diisi" in page


def test_form_with_regions_has_no_empty_regions_note(client_a, citizen, ktp_offering, regions_a):
    client_a.force_login(citizen)
    assert 'id="regions-missing"' not in client_a.get("/permohonan/baru/KTP-UBAH/").content.decode()


def test_profile_of_a_tenant_without_regions_says_why(client_a, citizen):
    client_a.force_login(citizen)
    page = client_a.get("/akun/profil/").content.decode()
    assert 'id="regions-missing"' in page
