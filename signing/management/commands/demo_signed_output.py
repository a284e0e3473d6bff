"""`manage.py demo_signed_output --out sip.pdf`: the signed output of a completed demo SIP
application (runs `seed_demo` first when there is none), for checks outside this repository,
e.g. `pyhanko sign validate --trust ca.pem sip.pdf` after `signing_ca --export ca.pem`."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context, tenant_context


def _approved_sip():
    from agencies.models import StaffRole
    from applications.models import Application
    from tenants.models import Tenant

    with schema_context("public"):
        tenants = list(Tenant.objects.exclude(schema_name="public").order_by("pk"))
    for tenant in tenants:
        with tenant_context(tenant):
            app = (Application.objects.filter(service_code="SIP-DOKTER",
                                              status__in=["approved", "completed"])
                   .order_by("pk").first())
            admin = StaffRole.objects.filter(role=StaffRole.Role.TENANT_ADMIN,
                                             is_active=True).order_by("pk").first()
            if app is not None and admin is not None:
                return tenant, app.pk, admin.user_id
    return None


class Command(BaseCommand):
    help = "Write the signed output PDF of a completed demo SIP application."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, metavar="PATH")

    def handle(self, *args, **options) -> None:
        from accounts.models import User
        from applications.models import Application
        from applications.services import output_generate
        from signing.services import output_sign

        found = _approved_sip()
        if found is None:
            call_command("seed_demo", verbosity=0)
            found = _approved_sip()
        if found is None:
            raise CommandError("no approved demo SIP application (seed_demo made none)")
        tenant, application_id, admin_id = found
        with schema_context("public"):
            admin = User.objects.get(pk=admin_id)
        with tenant_context(tenant):
            app = Application.objects.get(pk=application_id)
            if not app.output_file or app.output_source != "generated":
                with transaction.atomic():
                    output_generate(application_id=application_id, actor=admin)
            output_sign(application_id=application_id)  # no-op when already signed
            app.refresh_from_db()
            with app.output_file.open("rb") as handle:
                Path(options["out"]).write_bytes(handle.read())
        self.stdout.write(f"{options['out']}: {app.output_name} {app.output_number} "
                          f"({tenant.schema_name}), sha256 {app.output_sha256}")
