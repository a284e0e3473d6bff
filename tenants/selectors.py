from __future__ import annotations

from django.db.models import QuerySet
from django_tenants.utils import schema_context

from .models import Tenant


def ready_tenants() -> QuerySet[Tenant]:
    """Tenants whose schema is provisioned (the only ones periodic work may touch)."""
    return Tenant.objects.exclude(schema_name="public").filter(is_ready=True)


def portal_open_tenants() -> list[Tenant]:
    """Ready tenants whose portal is open (live or onboarding), in id order: the tenants the
    periodic fan-outs (SLA sweep, rollups, daily figures) visit. Public schema."""
    with schema_context("public"):
        return list(
            ready_tenants()
            .filter(state__in=[Tenant.State.LIVE, Tenant.State.ONBOARDING])
            .order_by("pk")
        )


def live_tenants() -> list[Tenant]:
    with schema_context("public"):
        return list(
            ready_tenants()
            .filter(state__in=[Tenant.State.LIVE, Tenant.State.ONBOARDING])
            .select_related()
            .order_by("name")
        )
