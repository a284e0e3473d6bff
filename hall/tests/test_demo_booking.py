"""/antrean/ on the demo (issue 17): the demo has counters and slots; a tenant without any
counter says why nothing can be booked instead of showing an empty list."""

from __future__ import annotations

from hall.models import Counter
from hall.selectors import booking_days, slots_for


def test_demo_counters_offer_services_and_slots(tenant_a, in_tenant, client_a):
    from hall.seeding import seed_demo_tenant
    from services.seeding import seed_demo_tenant as seed_demo_services
    from sla.seeding import seed_demo_tenant as seed_demo_calendar

    with in_tenant(tenant_a):
        seed_demo_calendar(tenant=tenant_a)
        seed_demo_services(tenant=tenant_a)
        seed_demo_tenant(tenant=tenant_a)
        seed_demo_tenant(tenant=tenant_a)  # idempotent
        counters = {c.code: c for c in Counter.objects.all()}
        assert set(counters) == {"loket-1", "loket-2"}
        assert "KTP-UBAH" in counters["loket-1"].services
        assert "SIP-DOKTER" in counters["loket-2"].services
        days = booking_days()
        assert any(slots_for(service_code="KTP-UBAH", day=day) for day in days[1:3])
    page = client_a.get("/antrean/").content.decode()
    assert 'id="booking-empty"' not in page
    assert '<option value="KTP-UBAH"' in page


def test_booking_page_without_counters_explains_why(tenant_a, in_tenant, client_a):
    with in_tenant(tenant_a):
        assert not Counter.objects.exists()
    page = client_a.get("/antrean/").content.decode()
    assert 'id="booking-empty"' in page
    assert "Belum ada layanan yang dapat dipesan antreannya." in page
    assert 'name="service_code"' not in page
