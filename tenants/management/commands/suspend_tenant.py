"""Suspend a tenant: its portal shows the maintenance page (503); data is kept.

    manage.py suspend_tenant --schema kota_bandung --reason "permintaan Diskominfo"

Exit codes: 0 suspended (or already suspended), 1 refused/failed, 2 usage error.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.lifecycle import cli_actor, tenant_by_schema, tenant_suspend


class Command(BaseCommand):
    help = "Suspend a tenant (maintenance page, 503; data kept). Logged with actor and reason."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", required=True, help="schema name, e.g. kota_bandung")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--actor", help="operator name for the audit log (default: OS user)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            tenant = tenant_by_schema(options["schema"])
            before = tenant.state
            tenant = tenant_suspend(
                tenant=tenant, actor=cli_actor(options["actor"]), reason=options["reason"]
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        changed = before != tenant.state
        self.stdout.write(
            f"{tenant.schema_name}: {'suspended' if changed else 'already suspended'} "
            "(portal answers 503 with the maintenance page; data kept)"
        )
        self.stdout.write(json.dumps({"schema": tenant.schema_name, "state": tenant.state,
                                      "changed": changed}))
