"""Restore a tenant backup into a fresh tenant (new schema; never over an existing one).

    manage.py restore_tenant --file kota_bandung.tar.gz --region-code 32.73 --schema kota_bandung_r1

If the region still has its tenant, the copy is created side by side (no region code,
suspended); otherwise the restored tenant becomes the region's tenant again.
Exit codes: 0 restored (row counts verified), 1 failed (nothing left behind), 2 usage error.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.backup import tenant_restore
from tenants.lifecycle import audit, cli_actor


class Command(BaseCommand):
    help = "Restore a backup_tenant archive into a new tenant schema and verify row counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", required=True)
        parser.add_argument("--region-code", required=True, help="kode kab/kota, e.g. 32.73")
        parser.add_argument("--schema", required=True, help="the new schema name")
        parser.add_argument("--actor", help="operator name for the audit log (default: OS user)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            result = tenant_restore(
                archive_path=options["file"], region_code=options["region_code"],
                schema_name=options["schema"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        audit("tenant.restore", tenant=result.tenant, actor=cli_actor(options["actor"]),
              file=options["file"], side_by_side=result.side_by_side,
              rows=sum(result.rows.values()))
        mode = "side by side (suspended, no region code)" if result.side_by_side else "as the region's tenant"
        self.stdout.write(
            f"{result.schema}: restored {mode}; {len(result.rows)} tables, "
            f"{sum(result.rows.values())} rows verified, {result.files_restored}/"
            f"{result.files_listed} media file(s) restored, {result.seconds:.2f} s"
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(json.dumps({
            "schema": result.schema, "state": result.tenant.state,
            "side_by_side": result.side_by_side, "rows": result.rows,
            "files_restored": result.files_restored, "files_listed": result.files_listed,
            "seconds": round(result.seconds, 3), "warnings": result.warnings,
        }))
