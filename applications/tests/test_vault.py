"""Document vault: sniffed types, size limit, private storage, access rules and the log."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage

from agencies.models import StaffRole
from applications.errors import UploadRejected
from applications.models import DocumentAccess, VaultDocument
from applications.tests.conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, upload
from applications.vault import vault_document_create


def _files(tenant) -> set[str]:
    root = os.path.join(str(default_storage.base_location), "private", "vault")
    return set(os.listdir(root)) if os.path.isdir(root) else set()


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
        files_before = _files(tenant_a)
        with pytest.raises(UploadRejected) as err:
            vault_document_create(owner=citizen, upload=upload(content, name), document_type="KTP")
        assert err.value.extra["reason"] == reason
        assert not VaultDocument.objects.filter(owner_id=citizen.pk).exists()
        assert _files(tenant_a) == files_before


def test_disguised_exe_gets_a_clear_message(citizen, tenant_a, in_tenant):
    with in_tenant(tenant_a), pytest.raises(UploadRejected) as err:
        vault_document_create(owner=citizen, upload=upload(EXE_BYTES, "ktp.pdf"),
                              document_type="KTP")
    assert "program Windows" in err.value.message and "ktp.pdf" in err.value.message


def test_type_comes_from_content_and_path_is_private_per_tenant(citizen, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        document = vault_document_create(owner=citizen, upload=upload(PNG_BYTES, "scan.pdf"),
                                         document_type="KK")
        assert document.content_type == "image/png" and document.extension == "png"
        path = document.file.path
        assert "/kota_bandung/private/vault/" in path
        assert "scan" not in path and str(citizen.pk) not in os.path.basename(path)
        assert len(document.storage_token) >= 40


def test_vault_file_is_served_only_to_owner_and_handling_staff_with_a_log(
    submit_kk, vault_docs, client_a, citizen, other_citizen, staff, kk_offering, sip_offering,
    tenant_a, in_tenant,
):
    app = submit_kk()
    doc_id = vault_docs["kk_lama"]
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    stranger_officer = staff(StaffRole.Role.OFFICER, sip_offering)
    # the owner
    client_a.force_login(citizen)
    own = client_a.get(f"/permohonan/dokumen/{doc_id}/berkas/")
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF-")
    # another citizen: 404
    client_a.force_login(other_citizen)
    assert client_a.get(f"/permohonan/dokumen/{doc_id}/berkas/").status_code == 404
    # staff of another OPD: 404, and not logged
    client_a.force_login(stranger_officer)
    assert client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/").status_code == 404
    # the handling officer: 200 and logged
    client_a.force_login(officer)
    seen = client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{doc_id}/")
    assert seen.status_code == 200
    assert seen["Cache-Control"] == "private, no-store"
    # a document the application does not use: 404
    with in_tenant(tenant_a):
        unrelated = vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "x.pdf"),
                                          document_type="KTP")
        log = list(DocumentAccess.objects.values_list("document_id", "actor_id", "application_id"))
    assert client_a.get(f"/kelola/permohonan/{app.pk}/dokumen/{unrelated.pk}/").status_code == 404
    assert log == [(doc_id, officer.pk, app.pk)]
    # the citizen sees who opened it
    client_a.force_login(citizen)
    page = client_a.get(f"/permohonan/dokumen/{doc_id}/").content.decode()
    assert officer.full_name in page and app.tracking_code in page


def test_media_url_does_not_serve_vault_files(client_a, vault_docs, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        document = VaultDocument.objects.get(pk=vault_docs["kk_lama"])
        url = document.file.url
    assert client_a.get(url).status_code == 404
