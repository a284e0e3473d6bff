"""Demo data for `make run`: a ministry user, two tenants and a tenant admin for each.

Idempotent: running it again changes nothing. Apps add their own demo content through a
`seeding` module (`seed_demo_platform()`, `seed_demo_tenant(*, tenant)`; see core.discovery),
run in INSTALLED_APPS order, the tenant part inside each demo tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from agencies.models import StaffRole
from agencies.services import staff_role_grant
from core.discovery import collect
from regions.selectors import regions_ready
from tenants.models import Tenant
from tenants.services import public_tenant_ensure, tenant_create_ready, tenant_set_state

DEMO_TENANTS = (("32.73", "admin@kota-bandung.go.id"), ("33.14", "admin@sragenkab.go.id"))
MINISTRY_EMAIL = "kementerian@menpan.go.id"
CITIZEN_EMAIL = "warga@example.id"
CITIZEN_REGION = "32.73"
# Siti Warga lives in Sarijadi, Sukasari, Kota Bandung; the NIK gives 1 Jan 1990, female.
CITIZEN_PROFILE = {
    "nik": "3273014101900001", "birth_place": "Bandung",
    "address": "Jl. Sarijadi Raya No. 12, RT 003/RW 005",
    "district_code": "32.73.01", "village_code": "32.73.01.1004",
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    where: str


def _user(email: str, full_name: str, **extra: object) -> User:
    """A demo account with a verified email (demo users may apply and act right away)."""
    with schema_context("public"):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, settings.MPP_DEMO_PASSWORD, full_name=full_name, **extra
            )
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            User.objects.filter(pk=user.pk).update(email_verified_at=user.email_verified_at)
    return user


def seed_demo() -> list[DemoLogin]:
    public_tenant_ensure()
    logins: list[DemoLogin] = []
    ministry = _user(MINISTRY_EMAIL, "Pemantau KemenPANRB", ministry_role="admin", is_staff=True)
    logins.append(DemoLogin("Kementerian (pemantau)", ministry.email, "platform"))
    citizen = _user(CITIZEN_EMAIL, "Siti Warga", phone="6281234567890")
    logins.append(DemoLogin("Warga", citizen.email, "semua portal"))
    for seed in collect("seeding", "seed_demo_platform"):
        seed()
    for region_code, admin_email in DEMO_TENANTS:
        tenant = tenant_create_ready(region_code=region_code)
        admin = _user(admin_email, f"Admin {tenant.name}")
        with tenant_context(tenant), transaction.atomic():
            staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN)
            for seed in collect("seeding", "seed_demo_tenant"):
                seed(tenant=tenant)
            usable = regions_ready()  # no kecamatan/desa: no form can be sent (issue 17)
        if tenant.state == Tenant.State.ONBOARDING and usable:
            tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
        if region_code == CITIZEN_REGION:
            _citizen_profile(citizen, tenant)
        logins.append(DemoLogin(f"Admin {tenant.name}", admin_email, tenant.slug))
        _rollups_for_the_console(tenant)
    from monitoring.services import rollup_onboarding_all

    rollup_onboarding_all()
    return logins


def _citizen_profile(citizen: User, tenant: Tenant) -> None:
    """A complete profile for the demo citizen, so application forms show the prefill."""
    from accounts.models import CitizenProfile
    from accounts.services import profile_update

    with schema_context("public"):
        if CitizenProfile.objects.filter(user=citizen, nik__isnull=False).exists():
            return
    with tenant_context(tenant):
        if not regions_ready():
            return
        with schema_context("public"):
            profile_update(user=citizen, changes=CITIZEN_PROFILE, tenant=tenant)


def _rollups_for_the_console(tenant: Tenant, days: int = 30) -> None:
    """Fill the ministry console right away (beat keeps the rollups fresh afterwards)."""
    from datetime import timedelta

    from monitoring.services import local_today, rollup_tenant

    today = local_today(tenant.timezone, timezone.now())
    with tenant_context(tenant):
        rollup_tenant(
            tenant_id=tenant.pk, tz_name=tenant.timezone,
            days=[today - timedelta(days=n) for n in range(days)],
        )
