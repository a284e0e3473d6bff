"""Writes for the tenant's kecamatan and desa/kelurahan: preview and apply an import.

Both functions run in the current tenant schema (the kab/kota is `connection.tenant`).
The pipeline is the pure `regions.importer`: parse → validate → diff against the stored rows.
`region_import_apply` re-runs the whole pipeline inside ONE transaction (under a per-schema
advisory lock) and writes nothing while any error remains. Rows are never deleted: a region
missing from the file is marked inactive, and comes back (reactivated) when a later file has it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from regions.codes import normalize_code
from regions.importer import (
    ImportFileError,
    Issue,
    RegionChange,
    RegionDiff,
    ValidationResult,
    diff,
    from_reference,
    parse,
    validate,
)
from regions.importer.layouts import REFERENCE

from .models import District, RegionImport, Village
from .selectors import existing_regions

Source = Literal["file", "reference"]


class RegionImportInvalid(ApplicationError):
    """The file has errors; `extra["errors"]` lists them (row, column, value, message)."""

    code = "region_import_invalid"
    status = 400


class RegionTenantMissing(ApplicationError):
    code = "region_tenant_missing"
    status = 400


@dataclass(slots=True)
class ImportPreview:
    """What an import would do. `errors` block it; `warnings` never do."""

    source: Source
    regency_code: str
    filename: str = ""
    sha256: str = ""
    layout: str = ""
    layout_title: str = ""
    layout_description: str = ""
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    diff: RegionDiff | None = None
    districts: int = 0
    villages: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return self.diff is not None and self.diff.has_changes

    def summary(self) -> dict[str, int]:
        """The one-line summary of the command: added, renamed, inactivated, unchanged, errors
        (plus moved, reactivated and warnings)."""
        counts = self.diff.summary() if self.diff is not None else {}
        return {
            "added": counts.get("added", 0),
            "renamed": counts.get("renamed", 0),
            "inactivated": counts.get("inactivated", 0),
            "unchanged": counts.get("unchanged", 0),
            "errors": len(self.errors),
            "moved": counts.get("moved", 0),
            "reactivated": counts.get("reactivated", 0),
            "warnings": len(self.warnings),
        }


def _current_regency_code() -> str:
    tenant = getattr(connection, "tenant", None)
    code = getattr(tenant, "region_code", None)
    if not code or connection.schema_name == "public":
        raise RegionTenantMissing(_("Impor wilayah hanya dapat dijalankan di dalam tenant."))
    return normalize_code(code)


def _file_error(exc: ImportFileError) -> Issue:
    return Issue(severity="error", rule=exc.reason, message=exc.message)


def region_import_preview(
    *,
    source: Source,
    file_bytes: bytes | None = None,
    filename: str | None = None,
    sheet: str | None = None,
) -> ImportPreview:
    """Parse, validate and diff against the current rows. Reads only; never writes."""
    regency_code = _current_regency_code()
    if source == "reference":
        result: ValidationResult = from_reference(regency_code)
        preview = ImportPreview(
            source="reference",
            regency_code=regency_code,
            layout=REFERENCE.name,
            layout_title=REFERENCE.title,
            layout_description=REFERENCE.description,
        )
    else:
        if file_bytes is None:
            raise RegionImportInvalid(_("Pilih berkas CSV atau XLSX untuk diimpor."))
        name = filename or "wilayah.csv"
        preview = ImportPreview(
            source="file",
            regency_code=regency_code,
            filename=name,
            sha256=hashlib.sha256(file_bytes).hexdigest(),
        )
        try:
            table = parse(file_bytes, name, sheet=sheet or None)
        except ImportFileError as exc:
            preview.errors.append(_file_error(exc))
            return preview
        preview.layout = table.layout.name
        preview.layout_title = table.layout.title
        preview.layout_description = table.layout.description
        result = validate(table, regency_code)
        preview.errors.extend(result.errors)
        preview.warnings.extend(result.warnings)
    preview.districts = len(result.districts)
    preview.villages = len(result.villages)
    if result.ok:
        preview.diff = diff(existing_regions(), result)
    return preview


def _lock_regions() -> None:
    """Serialise imports of one tenant (advisory lock keyed by the schema name)."""
    key = int.from_bytes(
        hashlib.sha256(f"regions-import:{connection.schema_name}".encode()).digest()[:8],
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _change_json(change: RegionChange) -> dict[str, Any]:
    data: dict[str, Any] = {"level": change.level, "code": change.code, "name": change.name}
    if change.old_name is not None:
        data["old_name"] = change.old_name
    if change.old_code is not None and change.old_code != change.code:
        data["old_code"] = change.old_code
    if change.old_parent_code is not None:
        data["old_parent_code"] = change.old_parent_code
    if change.change == "moved":
        data["parent_code"] = change.parent_code
    return data


def _diff_json(changes: RegionDiff) -> dict[str, list[dict[str, Any]]]:
    return {
        "added": [_change_json(c) for c in changes.added],
        "renamed": [_change_json(c) for c in changes.renamed],
        "moved": [_change_json(c) for c in changes.moved],
        "inactivated": [_change_json(c) for c in changes.missing],
        "reactivated": [_change_json(c) for c in changes.reactivated],
    }


def _write(changes: RegionDiff) -> None:
    now = timezone.now()
    # --- kecamatan first (villages point at them) ---
    districts = {d.code: d for d in District.objects.all()}
    new_districts = [
        District(code=c.code, name=c.name, is_active=True)
        for c in changes.added
        if c.level == "district"
    ]
    District.objects.bulk_create(new_districts)
    for item in new_districts:
        districts[item.code] = item
    touched: dict[str, District] = {}
    for change in (*changes.renamed, *changes.reactivated, *changes.moved):
        if change.level != "district":
            continue
        row = districts[change.code]
        row.name, row.is_active, row.updated_at = change.name, True, now
        touched[row.code] = row
    for change in changes.missing:
        if change.level == "district":
            row = districts[change.code]
            row.is_active, row.updated_at = False, now
            touched[row.code] = row
    District.objects.bulk_update(touched.values(), ["name", "is_active", "updated_at"])

    # --- desa/kelurahan ---
    villages = {v.code: v for v in Village.objects.all()}
    Village.objects.bulk_create(
        [
            Village(
                code=c.code, name=c.name, kind=c.kind or "desa",
                district=districts[c.parent_code or c.code[:8]], is_active=True,
            )
            for c in changes.added
            if c.level == "village"
        ]
    )
    changed: dict[int, Village] = {}
    for change in (*changes.renamed, *changes.reactivated, *changes.moved):
        if change.level != "village":
            continue
        row = villages[change.old_code or change.code]
        row.code = change.code  # a move may re-code the row (references stay intact)
        row.name = change.name
        row.kind = change.kind or row.kind
        row.district = districts[change.parent_code or change.code[:8]]
        row.is_active, row.updated_at = True, now
        changed[row.pk] = row
    for change in changes.missing:
        if change.level == "village":
            row = villages[change.code]
            row.is_active, row.updated_at = False, now
            changed[row.pk] = row
    Village.objects.bulk_update(
        changed.values(), ["code", "name", "kind", "district", "is_active", "updated_at"]
    )


def region_import_apply(
    *,
    actor: AbstractBaseUser | None,
    source: Source,
    file_bytes: bytes | None = None,
    filename: str | None = None,
    sheet: str | None = None,
) -> RegionImport:
    """Apply an import in one transaction and record it (RegionImport).

    Raises RegionImportInvalid (nothing written) while any error remains. Re-applying the same
    file changes no region row; it is still recorded (with zero changes) in the history.
    """
    with transaction.atomic():
        _lock_regions()
        preview = region_import_preview(
            source=source, file_bytes=file_bytes, filename=filename, sheet=sheet
        )
        if not preview.ok or preview.diff is None:
            raise RegionImportInvalid(
                _("Berkas berisi %(count)d kesalahan; tidak ada data yang diubah.")
                % {"count": len(preview.errors)},
                extra={"errors": [issue_json(i) for i in preview.errors]},
            )
        _write(preview.diff)
        counts = preview.summary()
        counts.update(districts=preview.districts, villages=preview.villages)
        record = RegionImport(
            actor_id=getattr(actor, "pk", None),
            source=RegionImport.Source.REFERENCE if source == "reference" else RegionImport.Source.FILE,
            filename=preview.filename[:255],
            file_sha256=preview.sha256,
            layout=preview.layout,
            counts=counts,
            diff=_diff_json(preview.diff),
        )
        record.full_clean()
        record.save()
    return record


def issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "rule": issue.rule,
        "row": issue.row,
        "column": issue.column,
        "column_letter": issue.column_letter,
        "value": issue.value,
        "message": issue.message,
        "text": issue.as_text(),
    }


# ---------------------------------------------------------------------------------------------
# Uploaded files kept between the preview and the apply step (private, per tenant schema).


def _upload_storage() -> FileSystemStorage:
    return FileSystemStorage(
        location=settings.DATA_DIR / "private" / "region-uploads" / connection.schema_name
    )


def region_upload_stash(*, file_bytes: bytes) -> str:
    """Keep an uploaded file until it is applied; returns its sha256 (the handle)."""
    digest = hashlib.sha256(file_bytes).hexdigest()
    storage = _upload_storage()
    if not storage.exists(digest):
        storage.save(digest, ContentFile(file_bytes))
    return digest


def region_upload_read(*, sha256: str) -> bytes:
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise NotFound(_("Berkas unggahan tidak ditemukan; unggah ulang."))
    storage = _upload_storage()
    if not storage.exists(sha256):
        raise NotFound(_("Berkas unggahan tidak ditemukan; unggah ulang."))
    with storage.open(sha256, "rb") as handle:
        return handle.read()


def region_upload_discard(*, sha256: str) -> None:
    storage = _upload_storage()
    if len(sha256) == 64 and storage.exists(sha256):
        storage.delete(sha256)


__all__ = [
    "ImportPreview",
    "RegionImportInvalid",
    "issue_json",
    "region_import_apply",
    "region_import_preview",
    "region_upload_discard",
    "region_upload_read",
    "region_upload_stash",
]
