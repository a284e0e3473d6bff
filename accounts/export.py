"""A citizen's copy of their own data (UU 27/2022 PDP: access and a copy in a common,
machine-readable format), built on the platform host across every tenant schema.

`account_export_write(user=..., out=...)` writes a ZIP: `data.json` (account, profile,
identity links, the vault across regencies: documents, what was shared with which OPD of which
regency, and the access log; and per tenant where the person has data: staff roles,
applications with their citizen-visible timeline, the regency's copies of attached documents
with its access log, queue tickets, complaints), `documents/vault/<id>.<ext>` (the vault
files) and `documents/<tenant slug>/<id>.<ext>` (the regencies' copies). Only rows of `user`
are read: every query filters on the user's id.

Which schemas hold the person's rows is found first with one UNION ALL query per 100
schemas, so a fleet of 514 tenants costs a handful of round trips, not 514 schema switches.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import quote_schema_name, schema_context, tenant_context

from .models import CitizenProfile, IdentityLink, User

EXPORT_FORMAT = "mpp-digital-ekspor-data-pribadi/1"
SCHEMA_CHUNK = 100


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _owned_tables() -> list[tuple[str, str]]:
    """(table, user column) of every tenant table the export reads rows of."""
    from agencies.models import StaffRole
    from applications.models import Application, AttachedDocument
    from feedback.models import Complaint
    from hall.models import Ticket

    return [
        (Application._meta.db_table, "applicant_id"),
        (AttachedDocument._meta.db_table, "owner_id"),
        (StaffRole._meta.db_table, "user_id"),
        (Ticket._meta.db_table, "citizen_id"),
        (Complaint._meta.db_table, "complainant_id"),
    ]


def schemas_with_rows(*, user_id: int, schema_names: list[str]) -> set[str]:
    """The schemas among `schema_names` with a row of this user in a table the export reads."""
    tables = _owned_tables()
    found: set[str] = set()
    for start in range(0, len(schema_names), SCHEMA_CHUNK):
        chunk = schema_names[start:start + SCHEMA_CHUNK]
        parts, params = [], []
        for schema in chunk:
            quoted = quote_schema_name(schema)
            exists = " OR ".join(
                # quoted schema, model table and column names; the values are parameters
                f"EXISTS (SELECT 1 FROM {quoted}.{table} WHERE {column} = %s)"  # noqa: S608
                for table, column in tables
            )
            parts.append(f"SELECT %s::text WHERE {exists}")
            params.extend([schema, *([user_id] * len(tables))])
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            found.update(row[0] for row in cursor.fetchall())
    return found


def _account(user: User) -> dict[str, Any]:
    profile = CitizenProfile.objects.filter(user_id=user.pk).first()
    return {
        "account": {
            "id": user.pk, "full_name": user.full_name, "email": user.email,
            "phone": user.phone, "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_verified_at": _iso(user.email_verified_at),
            "phone_verified_at": _iso(user.phone_verified_at),
            "ministry_role": user.ministry_role,
        },
        "profile": None if profile is None else {
            "nik": profile.nik, "birth_place": profile.birth_place,
            "birth_date": _iso(profile.birth_date), "sex": profile.sex,
            "address": profile.address, "province_code": profile.province_code,
            "regency_code": profile.regency_code, "district_code": profile.district_code,
            "village_code": profile.village_code, "updated_at": _iso(profile.updated_at),
        },
        "identity_links": [
            {"provider": link.provider, "subject": link.subject,
             "created_at": _iso(link.created_at), "last_login_at": _iso(link.last_login_at)}
            for link in IdentityLink.objects.filter(user_id=user.pk).order_by("pk")
        ],
    }


@dataclass
class _File:
    arcname: str
    storage_name: str


def _vault_section(*, user: User) -> tuple[dict[str, Any], list[_File]]:
    """The person's vault (public schema): documents, shares, access log across regencies."""
    from vault.models import Access, Document, Share

    files: list[_File] = []
    documents = []
    for document in Document.objects.filter(owner_id=user.pk).order_by("pk"):
        arcname = f"documents/vault/{document.pk}.{document.extension}"
        has_file = bool(document.file.name) and document.file.storage.exists(document.file.name)
        if has_file:
            files.append(_File(arcname=arcname, storage_name=document.file.name))
        documents.append({
            "id": document.pk, "document_type": document.document_type,
            "label": document.label, "original_name": document.original_name,
            "content_type": document.content_type, "size": document.size,
            "sha256": document.sha256, "created_at": _iso(document.created_at),
            "deleted_at": _iso(document.deleted_at), "file": arcname if has_file else None,
        })
    shares = [
        {"document_id": s.document_id, "regency": s.tenant_name, "agency": s.agency_name,
         "application": s.tracking_code or s.application_id,
         "requirement": s.requirement_code, "consented_at": _iso(s.consented_at)}
        for s in Share.objects.filter(owner_id=user.pk).order_by("pk")
    ]
    accesses = [
        {"document_id": a.document_id, "regency": a.tenant_name, "agency": a.agency_name,
         "application": a.tracking_code or a.application_id,
         "by": getattr(a.actor, "full_name", ""), "accessed_at": _iso(a.accessed_at)}
        for a in Access.objects.filter(owner_id=user.pk).select_related("actor")
        .order_by("-accessed_at", "-pk")
    ]
    return {"documents": documents, "shares": shares, "access_log": accesses}, files


def _tenant_section(*, user: User, tenant: Any) -> tuple[dict[str, Any], list[_File]]:
    """The person's rows in the current tenant schema."""
    from agencies.models import StaffRole
    from applications.models import AttachedDocument, DocumentAccess
    from applications.selectors import applications_of, timeline
    from feedback.models import Complaint
    from hall.models import Ticket

    files: list[_File] = []
    applications = []
    for application in applications_of(user=user):
        applications.append({
            "tracking_code": application.tracking_code, "id": application.pk,
            "service_code": application.service_code,
            "service_name": getattr(application.service_version, "name", ""),
            "agency": str(application.agency), "status": application.status,
            "created_at": _iso(application.created_at),
            "submitted_at": _iso(application.submitted_at),
            "due_at": _iso(application.due_at), "decided_at": _iso(application.decided_at),
            "completed_at": _iso(application.completed_at),
            "form_data": application.form_data, "documents": application.documents,
            "decision_note": application.decision_note,
            "output": {"number": application.output_number,
                       "issued_at": _iso(application.output_issued_at),
                       "valid_until": _iso(application.output_valid_until)}
            if application.output_issued_at else None,
            "timeline": [
                {"at": _iso(event.created_at), "kind": event.kind,
                 "from_status": event.from_status, "to_status": event.to_status,
                 "note": event.note}
                for event in timeline(application=application)
            ],
        })
    documents = []
    for document in AttachedDocument.objects.filter(owner_id=user.pk).order_by("pk"):
        arcname = f"documents/{tenant.slug}/{document.pk}.{document.extension}"
        has_file = bool(document.file.name) and default_storage.exists(document.file.name)
        if has_file:
            files.append(_File(arcname=arcname, storage_name=document.file.name))
        documents.append({
            "id": document.pk, "vault_document_id": document.source_document_id,
            "document_type": document.document_type,
            "label": document.label, "original_name": document.original_name,
            "content_type": document.content_type, "size": document.size,
            "sha256": document.sha256, "created_at": _iso(document.created_at),
            "file": arcname if has_file else None,
        })
    accesses = (  # documents opened, and identity numbers of applications revealed
        DocumentAccess.objects.filter(
            Q(document__owner_id=user.pk)
            | Q(document__isnull=True, application__applicant_id=user.pk)
        )
        .select_related("actor", "application").order_by("-accessed_at")
    )
    section = {
        "tenant": tenant.name, "host": _host(tenant),
        "staff_roles": [
            {"role": role.role, "agency": str(role.agency) if role.agency_id else None,
             "is_active": role.is_active, "created_at": _iso(role.created_at)}
            for role in StaffRole.objects.filter(user_id=user.pk).select_related("agency")
        ],
        "applications": applications,
        "documents": documents,
        "document_access_log": [
            {"document_id": access.document_id, "field": access.field or None,
             "accessed_at": _iso(access.accessed_at),
             "by": getattr(access.actor, "full_name", "") if access.actor_id else "",
             "application": access.application.reference if access.application_id else None}
            for access in accesses
        ],
        "queue_tickets": [
            {"code": t.code, "kind": t.kind, "status": t.status, "service_code": t.service_code,
             "day": _iso(t.day), "slot_start": _iso(t.slot_start), "name": t.name,
             "created_at": _iso(t.created_at)}
            for t in Ticket.objects.filter(citizen_id=user.pk).order_by("pk")
        ],
        "complaints": [
            {"tracking_code": c.tracking_code, "title": c.title, "status": c.status,
             "shortfall": c.shortfall, "response": c.response, "name": c.name,
             "address": c.address, "contact": c.contact, "created_at": _iso(c.created_at)}
            for c in Complaint.objects.filter(complainant_id=user.pk).order_by("pk")
        ],
    }
    return section, files


def _host(tenant: Any) -> str:
    domain = tenant.domains.filter(is_primary=True).first()
    return domain.domain if domain else ""


def account_export_write(*, user: User, out: IO[bytes]) -> dict[str, Any]:
    """Write the user's ZIP to `out`; returns a summary (counts) for the audit line."""
    from tenants.selectors import ready_tenants

    with schema_context("public"):
        data: dict[str, Any] = {
            "format": EXPORT_FORMAT, "generated_at": timezone.now().isoformat(),
            **_account(user),
        }
        tenants = list(ready_tenants().order_by("name", "pk"))
        with_rows = schemas_with_rows(
            user_id=user.pk, schema_names=[t.schema_name for t in tenants]
        )
        data["vault"], vault_files = _vault_section(user=user)
    sections: list[dict[str, Any]] = []
    summary = {"tenants": 0, "applications": 0, "documents": len(data["vault"]["documents"])}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        from vault.storage import vault_storage

        for item in vault_files:
            with vault_storage().open(item.storage_name, "rb") as handle:
                archive.writestr(item.arcname, handle.read())
        for tenant in tenants:
            if tenant.schema_name not in with_rows:
                continue
            with tenant_context(tenant):
                section, files = _tenant_section(user=user, tenant=tenant)
                for item in files:
                    with default_storage.open(item.storage_name, "rb") as handle:
                        archive.writestr(item.arcname, handle.read())
            sections.append(section)
            summary["tenants"] += 1
            summary["applications"] += len(section["applications"])
        data["tenants"] = sections
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2,
                                                 default=str))
    return summary
