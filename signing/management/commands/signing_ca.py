"""`manage.py signing_ca --export ca.pem`: the deployment CA certificate (created on first
use) for relying parties and checks. `--reseal` rewrites the sealed keys under the current
MPP_SIGNING_SECRET; `--rotate <schema>` / `--revoke <schema>` replace a tenant's certificate."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context


class Command(BaseCommand):
    help = "Export the deployment CA certificate (PEM); reseal keys; rotate tenant certificates."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--export", metavar="PATH", help="write the CA certificate (PEM)")
        parser.add_argument("--reseal", action="store_true",
                            help="re-encrypt every signing key under the current secret")
        parser.add_argument("--rotate", metavar="SCHEMA", help="retire a tenant's certificate")
        parser.add_argument("--revoke", metavar="SCHEMA",
                            help="revoke a tenant's certificate (listed in the CRL)")

    def handle(self, *args, **options) -> None:
        from signing import authority

        if not any(options[k] for k in ("export", "reseal", "rotate", "revoke")):
            raise CommandError("nothing to do: give --export PATH, --reseal, --rotate or --revoke")
        with schema_context("public"):
            if options["export"]:
                path = Path(options["export"])
                path.write_bytes(authority.ca_pem())
                credential = authority.ca_credential()
                self.stdout.write(f"{path}: {credential.subject} "
                                  f"(sha256 {credential.fingerprint_sha256})")
            if options["reseal"]:
                self.stdout.write(f"resealed {authority.credentials_reseal()} keys")
            for option, revoke in (("rotate", False), ("revoke", True)):
                if options[option]:
                    authority.tenant_rotate(schema_name=options[option], revoke=revoke)
                    self.stdout.write(f"{option}d the certificate of {options[option]}")
