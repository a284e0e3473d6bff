"""The citizen's vault across regencies (docs/adr/0013): upload checks and private storage,
one vault offered on every regency's host, consent before anything is shared, each regency's
own copy, tenant isolation for staff, the access log across regencies, deletion."""

from __future__ import annotations

import os
import uuid

import pytest

from agencies.models import StaffRole
from applications.errors import ConsentRequired, UploadRejected
from applications.models import Application, AttachedDocument, DocumentAccess
from applications.services import application_submit
from applications.tests.conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, kk_form_data, upload
from applications.vault import vault_document_create
from vault.models import Access, Document, Share
from vault.storage import vault_storage


def _vault_files() -> set[str]:
    root = vault_storage().location
    return set(os.listdir(root)) if os.path.isdir(root) else set()


def _state(tenant, in_tenant, owner_id: int) -> dict:
    """Everything about the owner's documents in a tenant and in the vault."""
    with in_tenant(tenant):
        tenant_rows = {
            "copies": sorted(AttachedDocument.objects.filter(owner_id=owner_id)
                             .values_list("source_document_id", "file")),
            "accesses": sorted(DocumentAccess.objects.values_list("document_id", "actor_id")),
            "applications": sorted(Application.objects.filter(applicant_id=owner_id)
                                   .values_list("pk", "status", "documents")),
        }
    return {**tenant_rows,
            "shares": sorted(Share.objects.filter(owner_id=owner_id).values_list(
                "document_id", "tenant_id", "agency_id", "application_id")),
            "vault_accesses": Access.objects.filter(owner_id=owner_id).count()}


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize(("content", "name", "reason"), [
    (EXE_BYTES, "ktp.pdf", "type"),
    (b"GIF89a" + b"\x00" * 20, "ktp.png", "type"),
    (b"", "kosong.pdf", "empty"),
    (b"%PDF-" + b"0" * (5 * 1024 * 1024), "besar.pdf", "too_large"),
])
def test_bad_uploads_are_refused_and_nothing_is_written(
    citizen, tenant_a, in_tenant, content, name, reason
):
    with in_tenant(tenant_a):
        files_before = _vault_files()
        with pytest.raises(UploadRejected) as err:
            vault_document_create(owner=citizen, upload=upload(content, name), document_type="KTP")
        assert err.value.extra["reason"] == reason
        assert not Document.objects.filter(owner_id=citizen.pk).exists()
        assert _vault_files() == files_before


def test_disguised_exe_gets_a_clear_message(citizen, tenant_a, in_tenant):
    with in_tenant(tenant_a), pytest.raises(UploadRejected) as err:
        vault_document_create(owner=citizen, upload=upload(EXE_BYTES, "ktp.pdf"),
                              document_type="KTP")
    assert "program Windows" in err.value.message and "ktp.pdf" in err.value.message


def test_type_comes_from_content_and_the_file_is_outside_every_tenant_folder(
    citizen, tenant_a, in_tenant
):
    with in_tenant(tenant_a):  # uploaded on Kota Bandung's host
        document = vault_document_create(owner=citizen, upload=upload(PNG_BYTES, "scan.pdf"),
                                         document_type="KK")
    assert document.content_type == "image/png" and document.extension == "png"
    path = document.file.path
    assert "/citizen-vault/" in path and tenant_a.schema_name not in path
    # the name is the random token alone: neither the file's name nor the citizen's id
    assert "scan" not in path
    assert os.path.basename(path) == f"{document.storage_token}.png"
    assert len(document.storage_token) >= 40
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018 - no URL serves the vault


# --------------------------------------------------------------------------- one vault


def test_a_document_uploaded_in_one_regency_is_offered_in_another(
    citizen, client_a, client_b, kk_offering_b, tenant_a, tenant_b, in_tenant
):
    # given the citizen uploads a KK on Kota Bandung's host
    client_a.force_login(citizen)
    response = client_a.post("/permohonan/dokumen/", {
        "document_type": "KK", "label": "KK keluarga",
        "file": upload(PDF_BYTES, "kk.pdf"),
    })
    assert response.status_code == 302
    (document,) = Document.objects.filter(owner_id=citizen.pk)
    # when they open Kabupaten Sragen's vault and form
    client_b.force_login(citizen)
    vault_page = client_b.get("/permohonan/dokumen/").content.decode()
    form = client_b.get("/permohonan/baru/KK-UBAH/").content.decode()
    # then the same document is there, and offered (preselected: the only KK) in the form
    assert "KK keluarga" in vault_page
    assert f'<option value="{document.pk}" selected>' in form
    assert client_b.get(f"/permohonan/dokumen/{document.pk}/berkas/").status_code == 200
    # and nothing reached either regency
    assert not Share.objects.filter(owner_id=citizen.pk).exists()
    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            assert not AttachedDocument.objects.exists()


def test_submission_without_consent_shares_nothing(
    citizen, kk_offering, vault_docs, tenant_a, in_tenant
):
    before = _state(tenant_a, in_tenant, citizen.pk)
    with in_tenant(tenant_a), pytest.raises(ConsentRequired) as err:
        application_submit(applicant=citizen, idempotency_key=uuid.uuid4().hex,
                           offering=kk_offering, form_data=kk_form_data(), documents=vault_docs)
    listed = {(d["document_id"], d["agency_name"], d["tenant_name"])
              for d in err.value.extra["documents"]}
    assert listed == {(doc, kk_offering.agency.name, tenant_a.name)
                      for doc in vault_docs.values()}
    assert _state(tenant_a, in_tenant, citizen.pk) == before


def test_consent_to_another_list_is_refused(citizen, kk_offering, vault_docs, tenant_a,
                                            in_tenant):
    with in_tenant(tenant_a), pytest.raises(ConsentRequired) as err:
        application_submit(applicant=citizen, idempotency_key=uuid.uuid4().hex,
                           offering=kk_offering, form_data=kk_form_data(), documents=vault_docs,
                           share_consent=True, consent_digest="0" * 32)
    assert "berubah" in err.value.message


def test_submission_with_consent_gives_the_regency_its_own_copy_once(
    submit_kk, citizen, vault_docs, kk_offering, tenant_a, tenant_b, in_tenant
):
    first = submit_kk()
    with in_tenant(tenant_a):
        copies = list(AttachedDocument.objects.filter(owner_id=citizen.pk))
        assert {c.source_document_id for c in copies} == set(vault_docs.values())
        assert all(c.file.name.startswith("private/attachments/") for c in copies)
        assert all(f"/{tenant_a.schema_name}/" in c.file.path for c in copies)
    shares = Share.objects.filter(owner_id=citizen.pk)
    assert {(s.document_id, s.tenant_id, s.agency_name, s.tracking_code) for s in shares} == {
        (doc, tenant_a.pk, kk_offering.agency.name, first.tracking_code)
        for doc in vault_docs.values()}
    # a second application to the same OPD: nothing new is disclosed, no consent, no copy
    with in_tenant(tenant_a):
        second, _ = application_submit(
            applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=kk_offering,
            form_data=kk_form_data(), documents=vault_docs)
        assert AttachedDocument.objects.filter(owner_id=citizen.pk).count() == 2
    assert Share.objects.filter(owner_id=citizen.pk, application_id=second.pk).count() == 2
    # and tenant B holds nothing
    with in_tenant(tenant_b):
        assert not AttachedDocument.objects.filter(owner_id=citizen.pk).exists()


def test_the_form_asks_for_consent_on_its_own_screen_and_keeps_what_was_typed(
    citizen, client_a, kk_offering, vault_docs, tenant_a, in_tenant
):
    client_a.force_login(citizen)
    key = uuid.uuid4().hex
    data = {**kk_form_data(alasan="Anak lulus SMA tahun ini."), "idempotency_key": key,
            "action": "submit", "doc_kk_lama": vault_docs["kk_lama"],
            "doc_bukti_perubahan": vault_docs["bukti_perubahan"]}
    # when the citizen submits the form, a consent screen lists document → OPD → regency
    screen = client_a.post("/permohonan/baru/KK-UBAH/", data)
    page = screen.content.decode()
    assert screen.status_code == 200 and 'id="consent-list"' in page
    assert kk_offering.agency.name in page and tenant_a.name in page
    assert "Anak lulus SMA tahun ini." in page  # carried on
    with in_tenant(tenant_a):
        (draft,) = Application.objects.filter(applicant_id=citizen.pk)
        assert draft.status == "draft" and draft.form_data["alasan"] == "Anak lulus SMA tahun ini."
        assert not AttachedDocument.objects.exists()
    assert not Share.objects.filter(owner_id=citizen.pk).exists()
    # "Kembali": the form again, as typed
    back = client_a.post("/permohonan/baru/KK-UBAH/", {**data, "action": "back"})
    assert back.status_code == 200 and 'id="apply-form"' in back.content.decode()
    assert "Anak lulus SMA tahun ini." in back.content.decode()
    assert f'<option value="{vault_docs["kk_lama"]}" selected>' in back.content.decode()
    # agreeing submits the same draft
    digest = page.split('name="consent_digest" value="')[1].split('"')[0]
    done = client_a.post("/permohonan/baru/KK-UBAH/", {
        **data, "share_consent": "1", "consent_digest": digest})
    assert done.status_code == 302 and "/tanda-terima/" in done["Location"]
    with in_tenant(tenant_a):
        (application,) = Application.objects.filter(applicant_id=citizen.pk)
        assert application.pk == draft.pk and application.status == "submitted"
        assert AttachedDocument.objects.filter(owner_id=citizen.pk).count() == 2


def test_api_submission_needs_the_consent(client_a, citizen, kk_offering, vault_docs):
    client_a.force_login(citizen)
    created = client_a.post("/api/v1/applications/", {
        "service_code": "KK-UBAH", "form_data": kk_form_data(), "documents": vault_docs,
    }, content_type="application/json")
    ref = created.json()["id"]
    key = uuid.uuid4().hex
    refused = client_a.post(f"/api/v1/applications/{ref}/submit/", {},
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 400 and refused.json()["code"] == "share_consent_required"
    agreed = client_a.post(f"/api/v1/applications/{ref}/submit/", {"share_consent": True},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert agreed.status_code == 201, agreed.json()


# --------------------------------------------------------------------------- staff and logs


def test_staff_open_only_copies_of_documents_shared_with_their_regency_and_opd(
    submit_kk, vault_docs, client_a, client_b, citizen, other_citizen, staff, kk_offering,
    kk_offering_b, sip_offering, tenant_a, tenant_b, in_tenant,
):
    app = submit_kk()
    doc_id = vault_docs["kk_lama"]
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    stranger_officer = staff(StaffRole.Role.OFFICER, sip_offering)
    admin_b = staff(StaffRole.Role.TENANT_ADMIN, tenant=tenant_b)
    officer_b = staff(StaffRole.Role.OFFICER, kk_offering_b, tenant=tenant_b)
    # the citizen also applies in B, with another document only
    other_doc = vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "kk2.pdf"),
                                      document_type="KK")
    other_proof = vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "ij2.pdf"),
                                        document_type="IJAZAH")
    with in_tenant(tenant_b):
        app_b, _ = application_submit(
            applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=kk_offering_b,
            form_data=kk_form_data(), share_consent=True,
            documents={"kk_lama": other_doc.pk, "bukti_perubahan": other_proof.pk})
    before_a = _state(tenant_a, in_tenant, citizen.pk)
    before_b = _state(tenant_b, in_tenant, citizen.pk)
    # staff of B: A's document is unreachable, by A's application id or B's own
    for user in (admin_b, officer_b):
        client_b.force_login(user)
        assert client_b.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/").status_code == 404
        assert client_b.get(f"/kelola/permohonan/{app_b.pk}/dokumen/{doc_id}/").status_code == 404
        # (ids are per schema: B may have its own application with A's id, never A's file)
        assert app.tracking_code not in client_b.get(
            f"/kelola/permohonan/{app.pk}/").content.decode()
        # nor is the citizen's vault itself
        assert client_b.get(f"/permohonan/dokumen/{doc_id}/berkas/").status_code == 404
        assert client_b.get(f"/permohonan/dokumen/{doc_id}/").status_code == 404
    # staff of A from B's host, another citizen, an officer of another OPD: 404
    client_b.force_login(officer)
    assert client_b.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/").status_code in (
        403, 404)
    client_a.force_login(other_citizen)
    assert client_a.get(f"/permohonan/dokumen/{doc_id}/berkas/").status_code == 404
    client_a.force_login(stranger_officer)
    assert client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/").status_code == 404
    # the document B did receive is not reachable through A's application either
    assert client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{other_doc.pk}/").status_code \
        == 404
    # nothing changed, in A, in B, in the vault
    assert _state(tenant_a, in_tenant, citizen.pk) == before_a
    assert _state(tenant_b, in_tenant, citizen.pk) == before_b
    # the handling officer of A: 200, logged in A and in the citizen's log
    client_a.force_login(officer)
    seen = client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/")
    assert seen.status_code == 200 and seen["Cache-Control"] == "private, no-store"
    assert b"".join(seen.streaming_content).startswith(b"%PDF-")
    with in_tenant(tenant_a):
        copy = AttachedDocument.objects.get(source_document_id=doc_id)
        assert list(DocumentAccess.objects.values_list("document_id", "actor_id",
                                                       "application_id")) == [
            (copy.pk, officer.pk, app.pk)]
    (logged,) = Access.objects.filter(owner_id=citizen.pk)
    assert (logged.document_id, logged.tenant_id, logged.application_id, logged.actor_id) == (
        doc_id, tenant_a.pk, app.pk, officer.pk)
    assert logged.tracking_code == app.tracking_code
    # the citizen sees it on the vault page of any regency (one log)
    client_b.force_login(citizen)
    page = client_b.get("/permohonan/dokumen/").content.decode()
    log = page.split('id="access-log"')[1]
    assert officer.full_name in log and app.tracking_code in log and tenant_a.name in log
    document_page = client_b.get(f"/permohonan/dokumen/{doc_id}/").content.decode()
    assert kk_offering.agency.name in document_page.split('id="shares"')[1]


def test_deleting_from_the_vault_keeps_the_regencys_copy(
    submit_kk, vault_docs, client_a, citizen, staff, kk_offering, tenant_a, in_tenant,
    django_capture_on_commit_callbacks,
):
    app = submit_kk()
    doc_id = vault_docs["kk_lama"]
    document = Document.objects.get(pk=doc_id)
    name = document.file.name
    client_a.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/permohonan/dokumen/{doc_id}/", {"action": "delete"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is not None and not vault_storage().exists(name)
    assert client_a.get(f"/permohonan/dokumen/{doc_id}/berkas/").status_code == 404
    assert doc_id not in {d.pk for d in Document.objects.filter(deleted_at__isnull=True)}
    # the regency's record of the application still holds it
    client_a.force_login(staff(StaffRole.Role.OFFICER, kk_offering))
    assert client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/").status_code == 200


def test_media_url_does_not_serve_copies(client_a, submit_kk, vault_docs, tenant_a, in_tenant):
    submit_kk()
    with in_tenant(tenant_a):
        copy = AttachedDocument.objects.get(source_document_id=vault_docs["kk_lama"])
        url = copy.file.url
    assert client_a.get(url).status_code == 404


def test_consented_pairs_reads_one_row_per_pair_however_often_shared(
    submit_kk, citizen, vault_docs, tenant_a, in_tenant
):
    """Each submission records its own share rows; the consent check of the next submission
    reads the distinct (document, OPD) pairs only, not every share ever recorded (issue 14)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vault.models import Share
    from vault.selectors import consented_pairs

    for _ in range(3):
        submit_kk()
    with in_tenant(tenant_a):
        shares = Share.objects.filter(owner_id=citizen.pk, tenant_id=tenant_a.pk)
        assert shares.count() >= 3 * len(vault_docs)
        with CaptureQueriesContext(connection) as captured:
            pairs = consented_pairs(owner_id=citizen.pk, tenant_id=tenant_a.pk,
                                    document_ids=vault_docs.values())
        assert pairs == set(shares.values_list("document_id", "agency_id"))
        [sql] = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
        assert "consented_at" not in sql and "ORDER BY" not in sql
        with connection.cursor() as cursor:
            cursor.execute(sql)
            assert len(cursor.fetchall()) == len(pairs)  # one row per pair
