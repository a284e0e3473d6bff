"""Demo data for `make run`: a ministry user, ten tenants across WIB, WITA and WIT and a tenant
admin for each.

Eight tenants are live, with `ACTIVITY_DAYS` days of simulated activity (applications in every
status with their workflow steps, queue tickets, survey answers, complaints) and the daily
rollups of those days, so the ministry console shows rankings and weekly trends; two are
still onboarding, stopped at different wizard steps. Kota Bandung and Kabupaten Sragen also
keep the demo citizen's few applications (the browser demo journey walks them).

Idempotent: running it again changes nothing. Apps add their own demo content through a
`seeding` module (`seed_demo_platform()`, `seed_demo_tenant(*, tenant)`,
`seed_demo_activity(*, tenant, days, rng)`; see core.discovery), run in INSTALLED_APPS order,
the tenant part inside each demo tenant's schema. Each activity hook gets its own
`random.Random` seeded by the tenant and the app, so the figures are the same on every
machine and differ between tenants."""

from __future__ import annotations

import random
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
# Live tenants with simulated activity only (no demo citizen applications).
ACTIVITY_TENANTS = (
    ("34.04", "admin@slemankab.go.id"),  # WIB
    ("51.71", "admin@denpasarkota.go.id"),  # WITA
    ("73.71", "admin@makassarkota.go.id"),  # WITA
    ("64.71", "admin@balikpapan.go.id"),  # WITA
    ("91.71", "admin@jayapurakota.go.id"),  # WIT
    ("81.71", "admin@ambon.go.id"),  # WIT
)
# Tenants still onboarding: (region, admin, the seeding modules run so far). Kota Mataram has
# its profile and regions (next: OPD); Kota Ternate also its OPDs and services (next: loket).
ONBOARDING_TENANTS = (
    ("52.71", "admin@mataramkota.go.id", ("regions.seeding", "sla.seeding")),
    ("82.71", "admin@ternatekota.go.id", ("regions.seeding", "sla.seeding", "services.seeding")),
)
ACTIVITY_DAYS = 90
FEEDBACK_ROLLUP_DAYS = 7  # the "ikm"/"complaints"/"queue" rows carry month-to-date figures
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
    for region_code, admin_email in (*DEMO_TENANTS, *ACTIVITY_TENANTS):
        tenant = _live_tenant(region_code, admin_email)
        if region_code == CITIZEN_REGION:
            _citizen_profile(citizen, tenant)
        logins.append(DemoLogin(f"Admin {tenant.name}", admin_email, tenant.slug))
        _activity(tenant)
        _rollups_for_the_console(tenant)
    for region_code, admin_email, modules in ONBOARDING_TENANTS:
        tenant = _onboarding_tenant(region_code, admin_email, modules)
        logins.append(DemoLogin(f"Admin {tenant.name} (orientasi)", admin_email, tenant.slug))
    from monitoring.services import rollup_onboarding_all

    rollup_onboarding_all()
    return logins


def _live_tenant(region_code: str, admin_email: str) -> Tenant:
    tenant = tenant_create_ready(region_code=region_code)
    admin = _user(admin_email, f"Admin {tenant.name}")
    with tenant_context(tenant), transaction.atomic():
        staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN)
        for seed in collect("seeding", "seed_demo_tenant"):
            seed(tenant=tenant)
        usable = regions_ready()  # no kecamatan/desa: no form can be sent (issue 17)
    if tenant.state == Tenant.State.ONBOARDING and usable:
        tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
    return tenant


def _onboarding_tenant(region_code: str, admin_email: str, modules: tuple[str, ...]) -> Tenant:
    """A tenant whose admin has done the first wizard steps only (what `modules` seed)."""
    from onboarding.services import onboarding_step_mark

    tenant = tenant_create_ready(region_code=region_code)
    admin = _user(admin_email, f"Admin {tenant.name}")
    with tenant_context(tenant), transaction.atomic():
        staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN)
        for seed in collect("seeding", "seed_demo_tenant"):
            if getattr(seed, "__module__", "") in modules:
                seed(tenant=tenant)
    onboarding_step_mark(tenant=tenant, step="profile", done=True, actor=admin)
    return tenant


def _activity(tenant: Tenant) -> None:
    """The simulated months of a live tenant (each app's hook skips what it already did)."""
    if tenant.state != Tenant.State.LIVE:
        return
    with tenant_context(tenant):
        for seed in collect("seeding", "seed_demo_activity"):
            rng = random.Random(f"{tenant.region_code}:{seed.__module__}")
            with transaction.atomic():
                seed(tenant=tenant, days=ACTIVITY_DAYS, rng=rng)


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


def _rollups_for_the_console(tenant: Tenant, days: int = ACTIVITY_DAYS) -> None:
    """Fill the ministry console right away (beat keeps the rollups fresh afterwards)."""
    from datetime import timedelta

    from monitoring.services import local_today, rollup_tenant

    today = local_today(tenant.timezone, timezone.now())
    with tenant_context(tenant):
        rollup_tenant(
            tenant_id=tenant.pk, tz_name=tenant.timezone,
            days=[today - timedelta(days=n) for n in range(days + 1)],
        )
        if tenant.state == Tenant.State.LIVE:  # survey, complaints and queue of last week
            from feedback.rollup import rollup_feedback_tenant

            for n in range(FEEDBACK_ROLLUP_DAYS):
                rollup_feedback_tenant(tenant_id=tenant.pk, tz=tenant.timezone,
                                       day=today - timedelta(days=n))
