"""Apply: verified contact, drafts, precise errors that keep everything, idempotent submit."""

from __future__ import annotations

import uuid

import pytest

from applications.errors import IdempotencyKeyRequired, InvalidApplication, NotVerified
from applications.models import Application, Notification
from applications.services import application_create_draft, application_submit
from applications.tests.conftest import EXE_BYTES, PDF_BYTES, kk_form_data, upload


def test_submit_needs_an_idempotency_key_and_replays_return_the_same_application(
    citizen, kk_offering, vault_docs, tenant_a, in_tenant
):
    with in_tenant(tenant_a):
        with pytest.raises(IdempotencyKeyRequired):
            application_submit(applicant=citizen, idempotency_key="", offering=kk_offering,
                               form_data=kk_form_data(), documents=vault_docs)
        key = uuid.uuid4().hex
        first, replayed_first = application_submit(
            applicant=citizen, idempotency_key=key, offering=kk_offering,
            form_data=kk_form_data(), documents=vault_docs, share_consent=True)
        again, replayed_again = application_submit(
            applicant=citizen, idempotency_key=key, offering=kk_offering,
            form_data=kk_form_data(), documents=vault_docs)
        assert (replayed_first, replayed_again) == (False, True)
        assert again.pk == first.pk
        assert Application.objects.filter(applicant_id=citizen.pk).count() == 1
        assert Notification.objects.filter(application=first, channel="email").count() == 1


def test_tracking_codes_are_sequential_per_service_and_month(submit_kk, tenant_a, in_tenant):
    codes = [submit_kk().tracking_code for _ in range(3)]
    prefix = codes[0].rsplit("-", 1)[0]
    assert codes == [f"{prefix}-0001", f"{prefix}-0002", f"{prefix}-0003"]
    assert prefix.startswith("3273-KKUBAH-")


def test_unverified_citizen_cannot_apply(user_factory, kk_offering, tenant_a, in_tenant, client_a):
    user = user_factory()
    with in_tenant(tenant_a), pytest.raises(NotVerified):
        application_create_draft(applicant=user, offering=kk_offering)
    client_a.force_login(user)
    page = client_a.get("/permohonan/baru/KK-UBAH/")
    assert page.status_code == 403
    assert "/akun/verifikasi/" in page.content.decode()


def test_invalid_submission_names_each_wrong_field_and_writes_nothing(
    citizen, kk_offering, vault_docs, tenant_a, in_tenant
):
    with in_tenant(tenant_a):
        with pytest.raises(InvalidApplication) as err:
            application_submit(
                applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=kk_offering,
                form_data=kk_form_data(nik_pemohon="12345", nomor_kk="abc"),
                documents={"kk_lama": vault_docs["kk_lama"]},
            )
        fields = err.value.extra["fields"]
        assert set(fields) == {"nik_pemohon", "nomor_kk", "doc_bukti_perubahan"}
        assert "16 digit" in fields["nik_pemohon"][0]
        assert not Application.objects.exists()


@pytest.mark.parametrize("nik", ["0012010101900001", "1012010101900001"])
def test_nik_with_a_malformed_region_code_is_a_field_error_not_a_5xx(
    client_a, citizen, kk_offering, tenant_a, in_tenant, nik
):
    client_a.force_login(citizen)
    key = uuid.uuid4().hex
    data = {**kk_form_data(nik_pemohon=nik), "idempotency_key": key, "action": "submit"}
    response = client_a.post("/permohonan/baru/KK-UBAH/", data)
    assert response.status_code == 400
    assert "Kode wilayah pada NIK" in response.content.decode()
    with in_tenant(tenant_a):
        assert not Application.objects.filter(status="submitted").exists()


def test_apply_page_prefills_from_profile_and_vault(client_a, citizen, kk_offering, vault_docs):
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/baru/KK-UBAH/").content.decode()
    assert f'value="{citizen.full_name}"' in page
    assert f'<option value="{vault_docs["kk_lama"]}" selected>' in page


def test_failed_web_submission_keeps_typed_data_and_uploads(
    client_a, citizen, kk_offering, tenant_a, in_tenant
):
    # given a form with a wrong NIK, one good upload and one disguised .exe
    client_a.force_login(citizen)
    key = uuid.uuid4().hex
    data = {**kk_form_data(nik_pemohon="3273"), "idempotency_key": key, "action": "submit",
            "upload_kk_lama": upload(PDF_BYTES, "kk.pdf"),
            "upload_bukti_perubahan": upload(EXE_BYTES, "ijazah.pdf")}
    # when
    response = client_a.post("/permohonan/baru/KK-UBAH/", data)
    # then: 400, says exactly what is wrong, keeps what was typed and uploaded (as a draft)
    assert response.status_code == 400
    html = response.content.decode()
    assert "NIK pemohon" in html and "16 digit" in html
    assert "bukan PDF, JPEG atau PNG" in html
    assert 'value="Siti Warga"' in html
    with in_tenant(tenant_a):
        draft = Application.objects.get(applicant_id=citizen.pk, idempotency_key=key)
        assert draft.status == "draft" and draft.form_data["nama_pemohon"] == "Siti Warga"
        assert set(draft.documents) == {"kk_lama"}
        kept = draft.documents["kk_lama"]
    assert f'<option value="{kept}" selected>' in html
    # when fixed and resubmitted with the same key
    fixed = {**kk_form_data(), "idempotency_key": key, "action": "submit", "share_consent": "1",
             "doc_kk_lama": str(kept), "upload_bukti_perubahan": upload(PDF_BYTES, "ij.pdf")}
    done = client_a.post("/permohonan/baru/KK-UBAH/", fixed)
    assert done.status_code == 302
    replay = client_a.post("/permohonan/baru/KK-UBAH/", fixed)
    assert replay["Location"] == done["Location"]
    with in_tenant(tenant_a):
        assert Application.objects.filter(applicant_id=citizen.pk).count() == 1
        assert Application.objects.get().status == "submitted"


def test_draft_is_saved_and_resumed(client_a, citizen, kk_offering, tenant_a, in_tenant):
    client_a.force_login(citizen)
    response = client_a.post("/permohonan/baru/KK-UBAH/", {
        "idempotency_key": uuid.uuid4().hex, "action": "draft", "nama_pemohon": "Setengah Jadi",
    })
    assert response.status_code == 302
    page = client_a.get(response["Location"]).content.decode()
    assert 'value="Setengah Jadi"' in page
    assert client_a.get("/permohonan/").content.decode().count("Draf") >= 1


def test_receipt_page_and_pdf_with_qr(client_a, citizen, submit_kk):
    app = submit_kk()
    client_a.force_login(citizen)
    page = client_a.get(f"/permohonan/{app.pk}/tanda-terima/").content.decode()
    assert app.tracking_code in page and "<svg" in page and "/lacak/?kode=" in page
    pdf = client_a.get(f"/permohonan/{app.pk}/tanda-terima.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
