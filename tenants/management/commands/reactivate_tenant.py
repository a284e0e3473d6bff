"""Serve a suspended tenant again.

    manage.py reactivate_tenant --schema kota_bandung --reason "pemeliharaan selesai"
    manage.py reactivate_tenant --schema kab_sragen --reason "..." --state onboarding

Exit codes: 0 reactivated (or already in that state), 1 refused/failed, 2 usage error.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.lifecycle import cli_actor, tenant_by_schema, tenant_reactivate
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Reactivate a suspended tenant (state live, or onboarding). Logged."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--reason", required=True)
        parser.add_argument(
            "--state", default=Tenant.State.LIVE,
            choices=[Tenant.State.LIVE, Tenant.State.ONBOARDING],
        )
        parser.add_argument("--actor", help="operator name for the audit log (default: OS user)")

    def handle(self, *args: object, **options: str) -> None:
        try:
            tenant = tenant_by_schema(options["schema"])
            before = tenant.state
            tenant = tenant_reactivate(
                tenant=tenant, actor=cli_actor(options["actor"]), reason=options["reason"],
                state=options["state"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        changed = before != tenant.state
        self.stdout.write(
            f"{tenant.schema_name}: {'reactivated as' if changed else 'already'} {tenant.state}"
        )
        self.stdout.write(json.dumps({"schema": tenant.schema_name, "state": tenant.state,
                                      "changed": changed}))
