"""`make run` demo data: complete, idempotent, and ready to use."""

import datetime as dt

from django_tenants.utils import schema_context, tenant_context

from accounts.models import CitizenProfile, User
from applications.models import Application
from core.demo import seed_demo
from hall.models import Counter
from monitoring.models import TenantDailyRollup
from onboarding.selectors import wizard_steps
from regions.models import District, Village
from regions.selectors import regions_ready


def test_seed_demo_is_idempotent_and_usable(tenant_a):
    logins = seed_demo()
    with tenant_context(tenant_a):
        applications = Application.objects.count()
        # the forms' kecamatan/desa lists are filled from the national reference (issue 17)
        assert regions_ready() and District.objects.count() == 30
        assert Village.objects.filter(district__code="32.73.01").exists()
        assert [s.key for s in wizard_steps(tenant=tenant_a) if s.key == "regions" and s.done]
        districts = District.objects.count()
        assert Counter.objects.filter(is_active=True).exclude(services=[]).exists()  # /antrean/
    with schema_context("public"):
        users = User.objects.count()
        rollups = TenantDailyRollup.objects.count()
    assert {login.login for login in logins} >= {"kementerian@menpan.go.id", "warga@example.id"}
    # running it again creates nothing new
    seed_demo()
    with tenant_context(tenant_a):
        assert Application.objects.count() == applications > 0
        assert District.objects.count() == districts
    with schema_context("public"):
        assert User.objects.count() == users
        assert TenantDailyRollup.objects.count() == rollups
        # the demo citizen's profile is complete, so forms are prefilled (issue 17)
        profile = CitizenProfile.objects.get(user__email="warga@example.id")
        assert (profile.nik, profile.birth_date, profile.sex, profile.village_code) == (
            "3273014101900001", dt.date(1990, 1, 1), "P", "32.73.01.1004"
        )
        assert profile.birth_place and profile.address and profile.district_code == "32.73.01"
        # every demo account can act at once
        assert not User.objects.filter(
            email__in=[login.login for login in logins], email_verified_at__isnull=True
        ).exists()
