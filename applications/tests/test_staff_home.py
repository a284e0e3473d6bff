"""The staff home (`/kelola/`) shows the workload and SLA summary of the user's OPDs only
(issue 17 item 7)."""

from __future__ import annotations

from agencies.models import StaffRole
from applications.models import Application


def test_staff_home_shows_the_workload_of_the_users_opds(
    client_a, client_b, staff, staff_user, kk_offering, sip_offering, submit_kk, tenant_a,
    tenant_b, in_tenant
):
    apps = [submit_kk() for _ in range(3)]
    with in_tenant(tenant_a):
        Application.objects.filter(pk=apps[0].pk).update(sla_state="breached")
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    client_a.force_login(officer)
    page = client_a.get("/kelola/").content.decode()
    assert "Beban kerja OPD Anda" in page
    assert kk_offering.agency.name in page
    assert "<strong>3</strong> permohonan terbuka" in page
    assert "<strong>1</strong> melewati batas waktu" in page
    # an officer of another OPD sees none of them
    client_a.force_login(staff(StaffRole.Role.OFFICER, sip_offering))
    other = client_a.get("/kelola/").content.decode()
    assert "Tidak ada permohonan terbuka di OPD Anda." in other
    # tenant B's admin, on tenant B: nothing of tenant A
    client_b.force_login(staff_user(tenant_b))
    page_b = client_b.get("/kelola/").content.decode()
    assert "<strong>3</strong> permohonan terbuka" not in page_b
