"""Sender side of the real-worker test: enqueue tasks under each tenant, print what ran where.

Run as a separate process (`python -m tests.celery_probe`) with the same environment as the
worker, so both ends use the broker under test. Prints one JSON object."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "platform"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django_tenants.utils import schema_context, tenant_context  # noqa: E402

from tenants.models import Tenant  # noqa: E402
from tenants.tasks import current_schema, heartbeat_dispatch  # noqa: E402


def main() -> None:
    with schema_context("public"):
        tenants = list(Tenant.objects.exclude(schema_name="public").filter(is_ready=True))
    results = {}
    pending = []
    for tenant in tenants:
        with tenant_context(tenant):
            pending.append((tenant.schema_name, current_schema.apply_async()))
    for schema, result in pending:
        results[schema] = result.get(timeout=90)
    dispatched = heartbeat_dispatch.apply_async(kwargs={"jitter_seconds": 0}).get(timeout=90)
    print(json.dumps({"ran_in": results, "dispatched": dispatched}))


if __name__ == "__main__":
    main()
