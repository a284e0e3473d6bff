"""Staff see NIK and KK numbers masked; an officer of the owning OPD may reveal one, which is
logged and shown to the citizen (issue 12 item 5)."""

from __future__ import annotations

from agencies.models import StaffRole
from applications.models import DocumentAccess

from .conftest import NIK

KK = "3273010101010001"


def _log(tenant, in_tenant):
    with in_tenant(tenant):
        return list(DocumentAccess.objects.filter(document__isnull=True)
                    .values_list("field", "actor_id"))


def test_staff_see_identity_numbers_masked_and_reveals_are_logged_for_the_citizen(
    client_a, citizen, staff, kk_offering, submit_kk, tenant_a, in_tenant
):
    app = submit_kk()
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    client_a.force_login(officer)
    page = client_a.get(f"/kelola/permohonan/{app.pk}/").content.decode()
    # masked by default: neither the NIK nor the KK number is on the page
    assert NIK not in page and KK not in page
    assert "3273********0001" in page
    assert 'name="field" value="nik_pemohon"' in page and 'value="nomor_kk"' in page
    assert _log(tenant_a, in_tenant) == []
    # the officer reveals the NIK: shown in full, the KK stays masked, one log row
    shown = client_a.post(f"/kelola/permohonan/{app.pk}/tampilkan/", {"field": "nik_pemohon"})
    assert shown.status_code == 200
    html = shown.content.decode()
    assert NIK in html and KK not in html
    assert _log(tenant_a, in_tenant) == [("nik_pemohon", officer.pk)]
    # a plain reload is masked again
    assert NIK not in client_a.get(f"/kelola/permohonan/{app.pk}/").content.decode()
    # the citizen sees who revealed what
    client_a.force_login(citizen)
    mine = client_a.get(f"/permohonan/{app.pk}/").content.decode()
    assert officer.full_name in mine and "Siapa melihat NIK" in mine


def test_only_staff_who_may_act_can_reveal(
    client_a, client_b, staff, staff_user, kk_offering, sip_offering, submit_kk, tenant_a,
    tenant_b, in_tenant
):
    app = submit_kk()
    url = f"/kelola/permohonan/{app.pk}/tampilkan/"
    # front desk of the same OPD sees the page, masked, without the button; a POST is refused
    desk = staff(StaffRole.Role.FRONT_DESK, kk_offering)
    client_a.force_login(desk)
    page = client_a.get(f"/kelola/permohonan/{app.pk}/")
    assert page.status_code == 200
    assert NIK not in page.content.decode()
    assert 'value="nik_pemohon"' not in page.content.decode()
    assert client_a.post(url, {"field": "nik_pemohon"}).status_code == 403
    # an officer of another OPD: 404
    client_a.force_login(staff(StaffRole.Role.OFFICER, sip_offering))
    assert client_a.post(url, {"field": "nik_pemohon"}).status_code == 404
    # a field that is not an identity number: 404
    client_a.force_login(staff(StaffRole.Role.OFFICER, kk_offering))
    assert client_a.post(url, {"field": "nama_pemohon"}).status_code == 404
    # tenant B's admin, on tenant B's host, with tenant A's id: 404
    client_b.force_login(staff_user(tenant_b))
    assert client_b.post(url, {"field": "nik_pemohon"}).status_code == 404
    # nothing was logged by any of them
    assert _log(tenant_a, in_tenant) == []
    assert _log(tenant_b, in_tenant) == []
