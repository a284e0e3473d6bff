"""Moving the per-tenant vault (docs/adr/0003) into the citizen's vault (docs/adr/0013).

Run by migration `applications.0008_vault_to_citizen` in every tenant schema (and callable
again: rows already moved are skipped). For each of the tenant's vault rows:

* the file is copied into the vault storage and a `vault.Document` row is written (public
  schema) with the same type, label, hash and dates; a row the citizen had deleted becomes a
  deleted vault row (metadata only);
* `Application.documents` of every application (drafts too) are rewritten to the vault ids;
* a row that a submitted application names stays in the tenant as this regency's copy
  (`source_document_id` set), with a `vault.Share` per application (the citizen gave it to
  that OPD when applying) and its staff accesses copied into the citizen's log;
* a row that no submitted application names was never given to an OPD: after the copy it is
  removed from the tenant with its file (the document lives on in the citizen's vault).

Public rows are written with SQL on `public.` tables: the migration's connection is on the
tenant's search path, and the historical models of the shared app are not routed here."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.files.base import File
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, quote_schema_name


def migrate_tenant_vault(*, apps: Any, connection: Any) -> dict[str, int]:
    from vault.storage import vault_storage

    schema = connection.schema_name
    public = get_public_schema_name()
    if schema == public:
        return {}
    attached = apps.get_model("applications", "AttachedDocument")
    application_model = apps.get_model("applications", "Application")
    access_model = apps.get_model("applications", "DocumentAccess")
    agency_model = apps.get_model("agencies", "Agency")
    rows = list(attached.objects.filter(source_document_id__isnull=True).order_by("pk"))
    counts = {"moved": 0, "kept_as_copies": 0, "removed_from_tenant": 0, "applications": 0,
              "shares": 0, "accesses": 0}
    if not rows:
        return counts
    p = quote_schema_name(public)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM {p}.tenants_tenant WHERE schema_name = %s",  # noqa: S608
                       [schema])
        tenant_id, tenant_name = cursor.fetchone()
    storage = vault_storage()
    mapping: dict[int, int] = {}
    for row in rows:
        deleted_at = getattr(row, "deleted_at", None)
        token = secrets.token_urlsafe(32)
        name = ""
        if deleted_at is None and row.file.name and row.file.storage.exists(row.file.name):
            with row.file.open("rb") as handle:
                name = storage.save(f"{token}.{row.extension}", File(handle))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {p}.vault_document (owner_id, document_type, label, original_name, "  # noqa: S608
                "storage_token, extension, file, content_type, size, sha256, created_at, "
                "deleted_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [row.owner_id, row.document_type, row.label, row.original_name, token,
                 row.extension, name, row.content_type, row.size, row.sha256, row.created_at,
                 deleted_at],
            )
            mapping[row.pk] = cursor.fetchone()[0]
        counts["moved"] += 1

    # applications name vault ids from now on; which rows a submitted application names
    referenced: dict[int, list[Any]] = {}
    for application in application_model.objects.exclude(documents={}).order_by("pk"):
        new = {}
        for code, value in (application.documents or {}).items():
            try:
                old = int(value)
            except (TypeError, ValueError):
                continue
            new[code] = mapping.get(old, old)
            if old in mapping and application.status != "draft":
                referenced.setdefault(old, []).append((application, code))
        if new != application.documents:
            application.documents = new
            application.save(update_fields=["documents"])
            counts["applications"] += 1

    agencies = dict(agency_model.objects.values_list("pk", "name"))
    now = timezone.now()
    for row in rows:
        gid = mapping[row.pk]
        uses = referenced.get(row.pk)
        if not uses:  # never given to an OPD: the citizen's vault holds it now
            if row.file.name:
                row.file.storage.delete(row.file.name)
            row.delete()
            counts["removed_from_tenant"] += 1
            continue
        row.source_document_id = gid
        row.save(update_fields=["source_document_id"])
        counts["kept_as_copies"] += 1
        with connection.cursor() as cursor:
            for application, code in uses:
                cursor.execute(
                    f"INSERT INTO {p}.vault_share (document_id, owner_id, tenant_id, tenant_name, "  # noqa: S608
                    "agency_id, agency_name, application_id, tracking_code, requirement_code, "
                    "consented_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    [gid, row.owner_id, tenant_id, tenant_name, application.agency_id,
                     agencies.get(application.agency_id, "")[:200], application.pk,
                     application.tracking_code or "", code[:60],
                     application.submitted_at or now],
                )
                counts["shares"] += cursor.rowcount
            by_id = {a.pk: a for a, _code in uses}
            for access in access_model.objects.filter(document_id=row.pk,
                                                      application_id__isnull=False):
                application = by_id.get(access.application_id) or application_model.objects.get(
                    pk=access.application_id)
                cursor.execute(
                    f"INSERT INTO {p}.vault_access (document_id, owner_id, tenant_id, tenant_name, "  # noqa: S608
                    "agency_name, application_id, tracking_code, actor_id, accessed_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [gid, row.owner_id, tenant_id, tenant_name,
                     agencies.get(application.agency_id, "")[:200], application.pk,
                     application.tracking_code or "", access.actor_id, access.accessed_at],
                )
                counts["accesses"] += 1
    return counts
