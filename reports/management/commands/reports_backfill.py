"""Roll up a range of past days of the dashboard (docs/adr/0012), for one or all tenants.

    python manage.py reports_backfill [--schema kota_bekasi] [--from 2026-01-01] [--to 2026-06-30]

Default range: from the tenant's first submission to yesterday. Idempotent (a rerun
replaces the rows)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import tenant_context


class Command(BaseCommand):
    help = "Roll up the dashboard's daily figures for a range of past days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", help="one tenant schema (default: every ready tenant)")
        parser.add_argument("--from", dest="first", type=date.fromisoformat)
        parser.add_argument("--to", dest="last", type=date.fromisoformat)

    def handle(self, *args: object, **options: object) -> None:
        from reports.services import daily_figures_backfill
        from tenants.selectors import portal_open_tenants

        tenants = portal_open_tenants()
        if options["schema"]:
            tenants = [t for t in tenants if t.schema_name == options["schema"]]
        for tenant in tenants:
            with tenant_context(tenant):
                days = daily_figures_backfill(
                    tz=getattr(tenant, "timezone", "") or "Asia/Jakarta",
                    first=options["first"], last=options["last"],
                )
            self.stdout.write(f"{tenant.schema_name}: {days} days")
