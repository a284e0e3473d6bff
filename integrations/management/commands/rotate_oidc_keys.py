"""Rotate the OpenID Connect signing key of one tenant or of every ready tenant.

    manage.py rotate_oidc_keys --schema kota_bandung
    manage.py rotate_oidc_keys --all

The old key stays published (state "previous") until the next rotation, so tokens it signed
keep verifying; rotate at most once per ID token lifetime (1 h) to be safe."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context, tenant_context


class Command(BaseCommand):
    help = "Rotate OIDC signing keys (current → previous; new current)."

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--schema", help="tenant schema name")
        group.add_argument("--all", action="store_true", help="every ready tenant")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenants.models import Tenant
        from tenants.selectors import ready_tenants

        from ...keys import signing_key_rotate

        with schema_context("public"):
            if options["all"]:
                tenants = list(ready_tenants())
            else:
                tenants = list(Tenant.objects.filter(schema_name=options["schema"]))
                if not tenants:
                    raise CommandError(f"unknown schema {options['schema']}")
        for tenant in tenants:
            with tenant_context(tenant):
                key = signing_key_rotate()
            self.stdout.write(f"{tenant.schema_name}: new key {key.kid}")
