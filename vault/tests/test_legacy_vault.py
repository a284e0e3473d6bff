"""Migration 0008 of applications: the per-tenant vault rows (docs/adr/0003) move into the
citizen's vault; none is lost and existing applications keep their attachments."""

from __future__ import annotations

import secrets
import uuid

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from agencies.models import StaffRole
from applications.legacy_vault import migrate_tenant_vault
from applications.models import Application, AttachedDocument, DocumentAccess
from applications.tests.conftest import PDF_BYTES, PNG_BYTES, kk_form_data
from vault.models import Access, Document, Share


def _legacy_row(owner, content: bytes, kind: str, ext: str) -> AttachedDocument:
    """A row as the per-tenant vault stored it: no vault id, file under private/vault/."""
    import hashlib

    row = AttachedDocument(
        owner_id=owner.pk, document_type=kind, label=f"{kind} lama", original_name=f"x.{ext}",
        storage_token=secrets.token_urlsafe(32), extension=ext,
        content_type="application/pdf" if ext == "pdf" else "image/png", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    row.file.save("ignored", ContentFile(content), save=False)
    row.save()
    return row


def test_legacy_vault_rows_move_to_the_citizens_vault(
    citizen, kk_offering, staff, tenant_a, in_tenant, client_a,
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    with in_tenant(tenant_a):
        # given the tenant's old vault: a KK and a diploma used by a submitted application,
        # a KTP only named by a draft, and a photo nothing uses
        kk = _legacy_row(citizen, PDF_BYTES, "KK", "pdf")
        ijazah = _legacy_row(citizen, PNG_BYTES, "IJAZAH", "png")
        ktp = _legacy_row(citizen, PDF_BYTES + b"ktp", "KTP", "pdf")
        photo = _legacy_row(citizen, PNG_BYTES + b"x", "PAS_FOTO", "png")
        submitted = Application.objects.create(
            offering=kk_offering, service_code="KK-UBAH",
            service_version_id=kk_offering.service_version_id, agency_id=kk_offering.agency_id,
            applicant_id=citizen.pk, status="submitted", tracking_code="3273-KKUBAH-2601-0001",
            submitted_at=timezone.now(), form_data=kk_form_data(),
            documents={"kk_lama": kk.pk, "bukti_perubahan": str(ijazah.pk)},
        )
        draft = Application.objects.create(
            offering=kk_offering, service_code="KK-UBAH",
            service_version_id=kk_offering.service_version_id, agency_id=kk_offering.agency_id,
            applicant_id=citizen.pk, status="draft", idempotency_key=uuid.uuid4().hex,
            documents={"kk_lama": ktp.pk},
        )
        DocumentAccess.objects.create(document=kk, application=submitted, actor_id=officer.pk)
        photo_file = photo.file.name

        # when the migration runs in this schema (twice: the second run is a no-op)
        counts = migrate_tenant_vault(apps=apps, connection=connection)
        again = migrate_tenant_vault(apps=apps, connection=connection)

        # then every row is in the citizen's vault, with its file
        assert counts["moved"] == 4 and again["moved"] == 0
        vault = {d.document_type: d for d in Document.objects.filter(owner_id=citizen.pk)}
        assert set(vault) == {"KK", "IJAZAH", "KTP", "PAS_FOTO"}
        for kind, content in (("KK", PDF_BYTES), ("IJAZAH", PNG_BYTES), ("KTP", PDF_BYTES + b"ktp")):
            with vault[kind].file.open("rb") as handle:
                assert handle.read() == content
            assert tenant_a.schema_name not in vault[kind].file.path
        # applications name vault ids, drafts too
        submitted.refresh_from_db()
        draft.refresh_from_db()
        assert submitted.documents == {"kk_lama": vault["KK"].pk,
                                       "bukti_perubahan": vault["IJAZAH"].pk}
        assert draft.documents == {"kk_lama": vault["KTP"].pk}
        # what a submitted application used stays here as the regency's copy, file and log
        copies = {c.document_type: c for c in AttachedDocument.objects.all()}
        assert set(copies) == {"KK", "IJAZAH"}
        assert copies["KK"].source_document_id == vault["KK"].pk
        assert copies["KK"].file.storage.exists(copies["KK"].file.name)
        assert DocumentAccess.objects.filter(document=copies["KK"]).count() == 1
        # what no OPD ever received left the tenant (it is in the vault now)
        assert not copies.get("KTP") and not copies["KK"].file.storage.exists(photo_file)
    # the consent the old submission implied, and the access, are in the citizen's log
    assert {(s.document_id, s.application_id, s.tenant_id) for s in
            Share.objects.filter(owner_id=citizen.pk)} == {
        (vault["KK"].pk, submitted.pk, tenant_a.pk), (vault["IJAZAH"].pk, submitted.pk, tenant_a.pk)}
    (access,) = Access.objects.filter(owner_id=citizen.pk)
    assert (access.document_id, access.actor_id, access.tracking_code) == (
        vault["KK"].pk, officer.pk, "3273-KKUBAH-2601-0001")

    # and the application keeps its attachments: the officer opens the KK as before
    client_a.force_login(officer)
    response = client_a.get(f"/kelola/permohonan/{submitted.pk}/dokumen/{vault['KK'].pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
