"""Delete a tenant: drop its schema and its rows, after confirmation and a backup.

    manage.py suspend_tenant --schema kab_x --reason "..."          # first
    manage.py remove_tenant --schema kab_x --confirm kab_x [--backup FILE | --backup-dir DIR]

Without --backup, a fresh backup (with media) is written first (to --backup-dir or
.data/backups/). Media files stay in storage. Exit codes: 0 deleted, 1 refused/failed,
2 usage error or wrong confirmation.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.lifecycle import ConfirmationMismatch, cli_actor, tenant_by_schema, tenant_delete


class Command(BaseCommand):
    help = "Drop a suspended tenant's schema and rows (needs --confirm <schema> and a backup)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--confirm", required=True, help="type the schema name again")
        parser.add_argument("--backup", help="an existing backup file of this schema")
        parser.add_argument("--backup-dir", help="where to write the backup made first")
        parser.add_argument("--reason", default="")
        parser.add_argument("--actor", help="operator name for the audit log (default: OS user)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            tenant = tenant_by_schema(options["schema"])
            result = tenant_delete(
                tenant=tenant, actor=cli_actor(options["actor"]), confirm=options["confirm"],
                backup_path=options["backup"], backup_dir=options["backup_dir"],
                reason=options["reason"],
            )
        except ConfirmationMismatch as exc:
            raise CommandError(exc.message, returncode=2) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        made = "written now" if result.backup_created else "given"
        self.stdout.write(
            f"{result.schema}: deleted (schema dropped: {result.schema_dropped}; "
            f"backup {made}: {result.backup_path})"
        )
        self.stdout.write(json.dumps({
            "schema": result.schema, "deleted": True, "schema_dropped": result.schema_dropped,
            "backup": str(result.backup_path) if result.backup_path else None,
            "backup_created": result.backup_created,
        }))
