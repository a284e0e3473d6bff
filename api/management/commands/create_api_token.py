"""`manage.py create_api_token --name "Dashboard KemenPAN-RB" --scope monitoring:read
[--scope catalog:read] [--rate 120] [--expires-in-days 365] [--owner email]`

Creates a national API token and prints its secret once (it is not stored, only its sha256)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from api.models import DEFAULT_RATE_PER_MINUTE, Scope
from api.services import api_token_create


class Command(BaseCommand):
    help = "Create a national API token (ministry / national systems) and print its secret once."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", action="append", required=True, choices=Scope.values,
                            dest="scopes", help="repeat for several scopes")
        parser.add_argument("--rate", type=int, default=DEFAULT_RATE_PER_MINUTE,
                            help="requests per minute (default %(default)s)")
        parser.add_argument("--expires-in-days", type=int, default=None)
        parser.add_argument("--owner", default=None,
                            help="email of the user the token acts as (optional)")

    def handle(self, *args: object, **options: object) -> None:
        from django.contrib.auth import get_user_model

        with schema_context("public"):
            owner = None
            if options["owner"]:
                owner = get_user_model().objects.filter(email__iexact=options["owner"]).first()
                if owner is None:
                    raise CommandError(f"No user with email {options['owner']}.")
            days = options["expires_in_days"]
            expires_at = timezone.now() + timedelta(days=days) if days else None
            try:
                token, secret = api_token_create(
                    name=str(options["name"]), scopes=list(options["scopes"]),
                    rate_per_minute=int(options["rate"]), expires_at=expires_at,
                    owner=owner, actor=None,
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.name!r} ({token.display_prefix}) created: scopes "
            f"{', '.join(token.scopes)}, {token.rate_per_minute}/min"
            + (f", expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "")
            + ". The secret below is shown once and is not stored:"
        )
        self.stdout.write(secret)
