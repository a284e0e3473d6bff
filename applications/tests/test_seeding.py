from __future__ import annotations

from applications.models import Application


def test_demo_seed_creates_applications_in_several_states_once(
    catalog, tenant_a, in_tenant, user_factory, staff_user
):
    from applications.seeding import seed_demo_tenant
    from services.seeding import seed_demo_tenant as seed_offerings

    citizen = user_factory(email="warga@example.id")
    staff_user(tenant_a)
    with in_tenant(tenant_a):
        seed_offerings(tenant=tenant_a)
        seed_demo_tenant(tenant=tenant_a)
        seed_demo_tenant(tenant=tenant_a)
        statuses = set(Application.objects.filter(applicant_id=citizen.pk)
                       .values_list("status", flat=True))
    assert {"submitted", "in_verification", "returned", "in_process", "approved"} <= statuses
    with in_tenant(tenant_a):
        assert Application.objects.filter(applicant_id=citizen.pk).count() == 5


def test_demo_seed_skips_without_offerings(tenant_b, in_tenant, user_factory, staff_user):
    from applications.seeding import seed_demo_tenant

    user_factory(email="warga@example.id")
    staff_user(tenant_b)
    with in_tenant(tenant_b):
        seed_demo_tenant(tenant=tenant_b)
        assert not Application.objects.exists()
