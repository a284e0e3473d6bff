"""Import the kecamatan and desa/kelurahan of one tenant from a file or the national list.

    python manage.py import_regions --tenant kab_sragen --file wilayah.csv [--sheet S] [--dry-run]
    python manage.py import_regions --tenant kab_sragen --from-reference

Prints the detected layout, then one JSON line
`{"added", "renamed", "inactivated", "unchanged", "errors", "moved", "reactivated", "warnings"}`.
Exit status 0 on success; 1 with the row-numbered errors on stderr (nothing written).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context, tenant_context

from regions.services import (
    ImportPreview,
    RegionImportInvalid,
    region_import_apply,
    region_import_preview,
)


class Command(BaseCommand):
    help = "Impor kecamatan dan desa/kelurahan satu tenant dari berkas CSV/XLSX atau daftar nasional."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="schema_name tenant, mis. kab_sragen")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--file", help="berkas CSV atau XLSX")
        group.add_argument(
            "--from-reference", action="store_true", help="isi dari daftar nasional Kemendagri"
        )
        parser.add_argument("--sheet", default=None, help="nama lembar XLSX (bawaan: yang pertama)")
        parser.add_argument("--dry-run", action="store_true", help="hanya pratinjau; tidak menulis")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenants.models import Tenant

        with schema_context("public"):
            tenant = Tenant.objects.filter(schema_name=options["tenant"]).first()
        if tenant is None or tenant.is_platform or not tenant.is_ready:
            raise CommandError(
                f"Tenant {options['tenant']!r} tidak ada atau belum siap.", returncode=1
            )
        kwargs: dict[str, Any] = {"source": "reference"}
        if options["file"]:
            path = Path(options["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Berkas tidak dapat dibaca: {exc}", returncode=1) from exc
            kwargs = {"source": "file", "file_bytes": data, "filename": path.name,
                      "sheet": options["sheet"]}
        with tenant_context(tenant):
            preview = region_import_preview(**kwargs)
            self._describe(preview)
            if preview.ok and not options["dry_run"]:
                try:
                    region_import_apply(actor=None, **kwargs)
                except RegionImportInvalid:  # changed between preview and apply (race)
                    preview = region_import_preview(**kwargs)
        self.stdout.write(json.dumps(preview.summary(), ensure_ascii=False))
        if not preview.ok:
            for issue in preview.errors:
                self.stderr.write(f"GALAT  {issue.as_text()}")
            raise CommandError(
                f"{len(preview.errors)} kesalahan; tidak ada data yang diubah.", returncode=1
            )

    def _describe(self, preview: ImportPreview) -> None:
        if preview.layout:
            self.stdout.write(f"Tata letak: {preview.layout} — {preview.layout_description}")
        for issue in preview.warnings:
            self.stderr.write(f"PERINGATAN  {issue.as_text()}")
