"""`make run` demo data: complete, idempotent, and ready to use."""

from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from applications.models import Application
from core.demo import seed_demo
from monitoring.models import TenantDailyRollup


def test_seed_demo_is_idempotent_and_usable(tenant_a):
    logins = seed_demo()
    with tenant_context(tenant_a):
        applications = Application.objects.count()
    with schema_context("public"):
        users = User.objects.count()
        rollups = TenantDailyRollup.objects.count()
    assert {login.login for login in logins} >= {"kementerian@menpan.go.id", "warga@example.id"}
    # running it again creates nothing new
    seed_demo()
    with tenant_context(tenant_a):
        assert Application.objects.count() == applications > 0
    with schema_context("public"):
        assert User.objects.count() == users
        assert TenantDailyRollup.objects.count() == rollups
        # every demo account can act at once
        assert not User.objects.filter(
            email__in=[login.login for login in logins], email_verified_at__isnull=True
        ).exists()
