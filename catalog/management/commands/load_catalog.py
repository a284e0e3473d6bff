import json

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from catalog.services import catalog_load_seed
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Load the national service catalogue seed (catalog/seed/*.yaml) idempotently and print a "
        "JSON summary. Published versions are never modified; differences are reported."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--path", help="folder with categories.yaml and service files")

    def handle(self, *args: object, **options: object) -> None:
        try:
            with schema_context("public"):
                summary = catalog_load_seed(path=options.get("path") or None)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        if summary["conflicts"]:
            self.stderr.write(
                f"{len(summary['conflicts'])} layanan di seed berbeda dengan versi terbit; "
                "katalog tidak diubah (lihat 'conflicts')."
            )
        if summary["invalid"]:
            raise CommandError(f"{len(summary['invalid'])} entri seed tidak valid (lihat 'invalid').")
