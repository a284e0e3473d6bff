"""Back up one tenant schema (+ its media manifest) into a .tar.gz archive.

    manage.py backup_tenant --schema kota_bandung --out /backups/kota_bandung.tar.gz [--with-media]

Format and rationale: tenants/backup.py, docs/adr/0002-per-tenant-backup.md.
Exit codes: 0 written, 1 failed, 2 usage error.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.backup import tenant_backup
from tenants.lifecycle import audit, cli_actor, tenant_by_schema


class Command(BaseCommand):
    help = "Back up one tenant schema (COPY per table, consistent snapshot) with a manifest."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--out", help="archive path (default .data/backups/<schema>-<time>.tar.gz)")
        parser.add_argument("--with-media", action="store_true",
                            help="include the media files themselves, not only their manifest")
        parser.add_argument("--actor", help="operator name for the audit log (default: OS user)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            tenant = tenant_by_schema(options["schema"])
            result = tenant_backup(
                tenant=tenant, out_path=options["out"], include_media=bool(options["with_media"])
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        audit("tenant.backup", tenant=tenant, actor=cli_actor(options["actor"]),
              path=str(result.path), rows=result.rows, files=result.files)
        self.stdout.write(
            f"{result.schema}: {result.tables} tables, {result.rows} rows, {result.files} media "
            f"file(s) ({result.files_included} included) → {result.path} "
            f"({result.bytes} bytes, {result.seconds:.2f} s)"
        )
        self.stdout.write(json.dumps({
            "schema": result.schema, "path": str(result.path), "tables": result.tables,
            "rows": result.rows, "files": result.files, "files_included": result.files_included,
            "bytes": result.bytes, "seconds": round(result.seconds, 3),
            "fingerprint": result.fingerprint,
        }))
