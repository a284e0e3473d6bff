"""Writes of the citizen's vault (public schema, docs/adr/0013): upload, delete, the consent
record of what was shared with which OPD of which regency, and the log of staff access.

The tenant side (the regency's own copy of an attached document, and when sharing happens)
lives in `applications.attachments`; this module knows nothing of tenants' tables."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DocumentNotFound
from .models import Access, Document, Share
from .uploads import DOCUMENT_TYPES, check_upload


def document_create(
    *, owner: Any, upload: Any, document_type: str, label: str = ""
) -> Document:
    """Check and store an upload in the owner's vault (on whichever regency's host it came
    from: the vault is the citizen's). A failed row insert removes the file again."""
    original = str(getattr(upload, "name", "") or "")[:200]
    sniffed, size, sha = check_upload(upload, name=original)
    document_type = (document_type or "DOKUMEN_PENDUKUNG").upper()[:40]
    document = Document(
        owner_id=owner.pk, document_type=document_type,
        label=(label or str(DOCUMENT_TYPES.get(document_type, document_type)))[:150],
        original_name=original, storage_token=secrets.token_urlsafe(32),
        extension=sniffed.extension, content_type=sniffed.content_type, size=size, sha256=sha,
    )
    document.file.save(f"x.{sniffed.extension}", File(upload), save=False)
    try:
        with transaction.atomic(using="default"):
            document.full_clean(exclude=["file"])
            document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, owner: Any, document_id: int) -> None:
    """Remove a document from the vault: the file is deleted (after commit), the row stays as
    a tombstone for the share and access log. Regencies that received it keep their own copy
    (a government record of the application, docs/adr/0013)."""
    document = Document.objects.select_for_update().filter(
        pk=document_id, owner_id=owner.pk, deleted_at__isnull=True
    ).first()
    if document is None:
        raise DocumentNotFound(_("Dokumen tidak ditemukan."))
    name = document.file.name
    document.deleted_at = timezone.now()
    document.file = ""
    document.save(update_fields=["deleted_at", "file"])
    if name:
        storage = document.file.storage
        transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class ShareRow:
    document_id: int
    agency_id: int
    agency_name: str
    requirement_code: str


def shares_record(
    *, owner_id: int, tenant: Any, application_id: int, tracking_code: str,
    rows: Iterable[ShareRow], actor: Any = None,
) -> int:
    """Record the citizen's consent for each (document, OPD) of one application in one
    regency. Idempotent (a replay records nothing twice). Returns the rows written."""
    now = timezone.now()
    objs = [
        Share(document_id=row.document_id, owner_id=owner_id, tenant_id=tenant.pk,
              tenant_name=tenant.name, agency_id=row.agency_id, agency_name=row.agency_name[:200],
              application_id=application_id, tracking_code=tracking_code or "",
              requirement_code=row.requirement_code[:60], consented_at=now)
        for row in rows
    ]
    if not objs:
        return 0
    created = Share.objects.bulk_create(objs, ignore_conflicts=True)
    from audit.services import audit_record

    audit_record(
        "vault.documents_shared", actor=actor, target_type="application",
        target_id=application_id, target_repr=tracking_code or str(application_id),
        changes={"documents": sorted({o.document_id for o in objs}),
                 "agencies": sorted({o.agency_id for o in objs})},
        tenant=tenant,
    )
    return len(created)


def access_record(
    *, document_id: int, owner_id: int, tenant: Any, application_id: int, tracking_code: str,
    agency_name: str, actor: Any,
) -> Access:
    """Staff of `tenant` opened the citizen's document: one row of the citizen's log."""
    return Access.objects.create(
        document_id=document_id, owner_id=owner_id, tenant_id=tenant.pk,
        tenant_name=tenant.name, agency_name=(agency_name or "")[:200],
        application_id=application_id, tracking_code=tracking_code or "", actor_id=actor.pk,
        accessed_at=timezone.now(),
    )
