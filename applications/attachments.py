"""Sharing the citizen's vault documents with this regency (docs/adr/0013).

The vault is the citizen's (`vault`, public schema). A regency gets a document only when the
citizen attaches it to an application here and agrees on the consent screen, which lists each
document with every OPD of this regency that may handle the file (the offering's OPD and the
OPDs the workflow's steps are mapped to). On submission this regency then holds its own copy
(`AttachedDocument`, file in the tenant's media folder) and the consent is recorded in the
vault (`vault.Share`). A document already given to the same OPD here with consent, attached
again, discloses nothing new and needs no second consent.

Every time staff open a copy, both logs get a row in one transaction: the tenant's
`DocumentAccess` and the citizen's `vault.Access` (the log across regencies).

A copy's file is written before its row, inside the submission's transaction; when that
transaction rolls back (a later step failed, the process died) the file names no row. The
daily sweep (`attachment_orphans_delete`, per tenant) removes such files once they are older
than any transaction can be."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vault.selectors import consented_pairs, documents_by_id
from vault.services import ShareRow, access_record, shares_record

from .models import Application, AttachedDocument, DocumentAccess

logger = logging.getLogger(__name__)

ATTACHMENT_DIR = "private/attachments"  # models.attachment_upload_to
# a file younger than this may belong to a transaction still running: never swept
ORPHAN_GRACE = timedelta(hours=6)


@dataclass(frozen=True)
class Disclosure:
    """One document going to one OPD of this regency (a row of the consent screen)."""

    requirement_code: str
    requirement_label: str
    document_id: int
    document_label: str
    agency_id: int
    agency_name: str
    tenant_name: str
    new: bool

    def as_api(self) -> dict[str, Any]:
        return asdict(self)


def current_tenant() -> Any:
    """The tenant row of the connection's schema (the request's tenant when there is one)."""
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "pk", None) and getattr(tenant, "name", None):
        return tenant
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name=connection.schema_name)


def recipient_agencies(*, offering: Any, version: Any) -> list[Any]:
    """The OPDs of this regency that may hold the file: the offering's OPD first, then those
    the workflow's steps are mapped to (every step, whatever the answers: a superset)."""
    from catalog.workflow import OWNER_KIND, workflow_of

    from . import memo

    descriptor = getattr(type(offering), "agency", None)
    if descriptor is not None and descriptor.is_cached(offering):  # loaded with the offering
        memo.remember(("agency", offering.agency_id), offering.agency)
    workflow = workflow_of(version)
    kinds = sorted({s.agency_kind for s in workflow.steps} - {"", OWNER_KIND})
    mappings = memo.agency_kind_mappings() if kinds else {}
    ids = [offering.agency_id]
    for kind in kinds:
        agency_id = mappings.get(kind)
        if agency_id and agency_id not in ids:
            ids.append(agency_id)
    found = memo.agencies(ids)
    return [found[i] for i in ids if i in found]


def sharing_plan(
    *, owner_id: int, offering: Any, spec: Any, documents: Mapping[str, int],
    loaded: Mapping[int, Any] | None = None,
) -> list[Disclosure]:
    """What submitting would give to whom: every (document, OPD) pair, `new` where this OPD
    of this regency has not received the document with the citizen's consent before.
    `loaded`: the owner's live vault documents as validation just read them ({id: row})."""
    picked = {code: int(doc_id) for code, doc_id in (documents or {}).items() if doc_id}
    if not picked:
        return []
    if loaded is not None and set(picked.values()) <= set(loaded):
        docs = {i: loaded[i] for i in picked.values()}
    else:
        docs = documents_by_id(owner_id=owner_id, ids=picked.values())
    tenant = current_tenant()
    agencies = recipient_agencies(offering=offering, version=spec.version)
    done = consented_pairs(owner_id=owner_id, tenant_id=tenant.pk, document_ids=docs)
    labels = {r.code: str(r.label) for r in spec.requirements}
    plan = []
    for code, doc_id in picked.items():
        document = docs.get(doc_id)
        if document is None:
            continue
        for agency in agencies:
            plan.append(Disclosure(
                requirement_code=code, requirement_label=labels.get(code, code),
                document_id=doc_id, document_label=document.label, agency_id=agency.pk,
                agency_name=agency.name, tenant_name=tenant.name,
                new=(doc_id, agency.pk) not in done,
            ))
    return plan


def plan_digest(plan: list[Disclosure]) -> str:
    """Names the list the citizen agreed to: a different list needs a new consent."""
    rows = sorted(f"{d.requirement_code}:{d.document_id}:{d.agency_id}" for d in plan)
    return hashlib.sha256("|".join(rows).encode()).hexdigest()[:32]


def needs_consent(plan: list[Disclosure]) -> bool:
    return any(d.new for d in plan)


def documents_attach(*, application: Application, plan: list[Disclosure], actor: Any) -> None:
    """Inside the submission's transaction: copy each planned document that this regency does
    not hold yet, and record the consent for every (document, OPD) in the vault."""
    if not plan:
        return
    ids = {d.document_id for d in plan}
    held = set(AttachedDocument.objects.filter(source_document_id__in=ids)
               .values_list("source_document_id", flat=True))
    for document in documents_by_id(owner_id=application.applicant_id, ids=ids - held).values():
        _copy(document)
    seen: set[tuple[int, int]] = set()
    rows = []
    for d in plan:
        if (d.document_id, d.agency_id) not in seen:
            seen.add((d.document_id, d.agency_id))
            rows.append(ShareRow(document_id=d.document_id, agency_id=d.agency_id,
                                 agency_name=d.agency_name, requirement_code=d.requirement_code))
    shares_record(owner_id=application.applicant_id, tenant=current_tenant(),
                  application_id=application.pk, tracking_code=application.tracking_code or "",
                  rows=rows, actor=actor)


def _copy(document: Any) -> AttachedDocument:
    copy = AttachedDocument(
        owner_id=document.owner_id, source_document_id=document.pk,
        document_type=document.document_type, label=document.label,
        original_name=document.original_name, storage_token=secrets.token_urlsafe(32),
        extension=document.extension, content_type=document.content_type, size=document.size,
        sha256=document.sha256,
    )
    with document.file.open("rb") as handle:
        copy.file.save(f"x.{document.extension}", File(handle), save=False)
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:  # attached concurrently by another application: keep that copy
        default_storage.delete(copy.file.name)
        return AttachedDocument.objects.get(source_document_id=document.pk)
    except Exception:
        default_storage.delete(copy.file.name)
        raise
    return copy


@transaction.atomic
def attachment_open_log(*, application: Application, attachment: AttachedDocument,
                        actor: Any) -> None:
    """Staff opened the copy: the tenant's log and the citizen's log across regencies."""
    DocumentAccess.objects.create(document=attachment, application=application,
                                  actor_id=actor.pk)
    if attachment.source_document_id:
        access_record(
            document_id=attachment.source_document_id, owner_id=attachment.owner_id,
            tenant=current_tenant(), application_id=application.pk,
            tracking_code=application.tracking_code or "",
            agency_name=application.agency.name, actor=actor,
        )


def attachment_orphans_delete(*, now: datetime | None = None,
                              grace: timedelta = ORPHAN_GRACE) -> list[str]:
    """Delete the current tenant's copy files that no ``AttachedDocument`` names and that are
    older than ``grace`` (left by a submission that rolled back after ``_copy``). Only this
    tenant's folder is listed (the storage prefixes the schema). Idempotent; returns the
    names deleted. Rows are looked up 500 names at a time."""
    now = now or timezone.now()
    try:
        _folders, files = default_storage.listdir(ATTACHMENT_DIR)
    except FileNotFoundError:
        return []
    names = sorted(f"{ATTACHMENT_DIR}/{name}" for name in files)
    removed: list[str] = []
    for start in range(0, len(names), 500):
        batch = names[start:start + 500]
        named = set(AttachedDocument.objects.filter(file__in=batch)
                    .values_list("file", flat=True))
        for name in batch:
            if name in named or default_storage.get_modified_time(name) > now - grace:
                continue
            default_storage.delete(name)
            removed.append(name)
    if removed:
        logger.info("attachment orphans deleted in %s: %d", connection.schema_name, len(removed))
    return removed
