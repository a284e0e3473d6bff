import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from tenants.services import tenant_create_ready


class Command(BaseCommand):
    help = "Register and provision the tenant of one kab/kota from the national list (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region-code", required=True, help="Kode kab/kota, mis. 32.73")

    def handle(self, *args: object, **options: str) -> None:
        try:
            tenant = tenant_create_ready(region_code=options["region_code"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "schema": tenant.schema_name,
                    "slug": tenant.slug,
                    "name": tenant.name,
                    "state": tenant.state,
                    "ready": tenant.is_ready,
                }
            )
        )
