"""Prefill of application forms from the citizen's profile, and vault documents attached only
when chosen (issue 17)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django_tenants.utils import schema_context

from applications.models import Application
from applications.tests.conftest import DAGO, PDF_BYTES, ktp_form_data, upload


def _complete_profile(citizen, **extra):
    from accounts.models import CitizenProfile

    with schema_context("public"):
        profile = CitizenProfile.objects.get(user=citizen)
        profile.birth_date = dt.date(1990, 1, 1)
        for key, value in extra.items():
            setattr(profile, key, value)
        profile.save()
    return profile


def _sip_values(page: str) -> dict[str, str]:
    values = dict(re.findall(r'<input type="[a-z]+" name="([a-z_]+)" value="([^"]*)"', page))
    values.update(re.findall(r'<textarea name="([a-z_]+)"[^>]*>\n?([^<]*)</textarea>', page))
    values.update(re.findall(
        r'<select name="([a-z_]+)"[^>]*>(?:\s*<option value="[^"]*">[^<]*</option>)*'
        r'\s*<option value="([^"]+)" selected>', page,
    ))
    return values


def test_sip_form_is_prefilled_with_every_profile_field(client_a, citizen, sip_offering):
    profile = _complete_profile(citizen)
    client_a.force_login(citizen)
    values = _sip_values(client_a.get("/permohonan/baru/SIP-DOKTER/").content.decode())
    assert {k: values.get(k) for k in (
        "nik", "nama_lengkap", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
        "alamat_domisili", "no_hp", "email",
    )} == {
        "nik": profile.nik, "nama_lengkap": citizen.full_name, "tempat_lahir": "Bandung",
        "tanggal_lahir": "1990-01-01", "jenis_kelamin": "P", "alamat_domisili": "Jl. Asia Afrika 1",
        "no_hp": citizen.phone, "email": citizen.email,
    }


def test_a_draft_is_completed_from_the_profile(
    client_a, citizen, sip_offering, tenant_a, in_tenant
):
    from applications.services import application_create_draft

    profile = _complete_profile(citizen)
    with in_tenant(tenant_a):
        draft = application_create_draft(
            applicant=citizen, offering=sip_offering, form_data={"gelar": "dr.", "nik": ""},
        )
    client_a.force_login(citizen)
    values = _sip_values(client_a.get(f"/permohonan/{draft.pk}/ubah/").content.decode())
    assert values["gelar"] == "dr."  # what the draft holds stays
    assert (values["nik"], values["tempat_lahir"], values["tanggal_lahir"]) == (
        profile.nik, "Bandung", "1990-01-01"
    )
    assert (values["jenis_kelamin"], values["alamat_domisili"]) == ("P", "Jl. Asia Afrika 1")


def test_kecamatan_and_desa_come_from_the_profile(client_a, citizen, ktp_offering, regions_a):
    _complete_profile(citizen, district_code="32.73.02", village_code=DAGO)
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/baru/KTP-UBAH/").content.decode()
    assert '<option value="32.73.02" selected>Coblong</option>' in page
    assert f'<option value="{DAGO}" selected>Dago</option>' in page


def test_a_field_the_profile_cannot_fill_does_not_promise_it(client_a, citizen, sip_offering):
    client_a.force_login(citizen)  # the profile has no birth date
    page = client_a.get("/permohonan/baru/SIP-DOKTER/").content.decode()
    help_of = dict(re.findall(r'<p class="help" id="id_([a-z_]+)_helptext">([^<]*)</p>', page))
    assert help_of["tanggal_lahir"].startswith("Belum ada di profil Anda")
    assert help_of["nik"] == "Diisi otomatis dari profil terverifikasi."


# --- vault documents --------------------------------------------------------------------------


def _select(page: str, code: str) -> str:
    start = page.index(f'id="id_doc_{code}"')
    return page[start:page.index("</select>", start)]


def test_no_vault_document_is_attached_unless_chosen(
    client_a, citizen, ktp_offering, ktp_docs, regions_a, tenant_a, in_tenant
):
    from applications.vault import vault_document_create

    with in_tenant(tenant_a):  # a second KTP and a supporting document in the vault
        vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "ktp2.pdf"),
                              document_type="KTP")
        vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "pendukung.pdf"),
                              document_type="DOKUMEN_PENDUKUNG")
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/baru/KTP-UBAH/").content.decode()
    # required, exactly one KK in the vault: offered preselected (visible, can be changed)
    assert f'<option value="{ktp_docs["kk"]}" selected>' in _select(page, "kk")
    # required but two KTP to choose from, and the optional slot: nothing preselected
    assert " selected>" not in _select(page, "ktp_lama")
    assert " selected>" not in _select(page, "bukti_perubahan")
    # the submission carries only what was picked
    data = {**ktp_form_data(), "idempotency_key": uuid.uuid4().hex, "action": "submit",
            "doc_kk": ktp_docs["kk"], "doc_ktp_lama": ktp_docs["ktp_lama"],
            "doc_bukti_perubahan": "", "share_consent": "1"}  # agreed on the consent screen
    assert client_a.post("/permohonan/baru/KTP-UBAH/", data).status_code == 302
    with in_tenant(tenant_a):
        assert Application.objects.get().documents == {
            "kk": ktp_docs["kk"], "ktp_lama": ktp_docs["ktp_lama"]
        }
