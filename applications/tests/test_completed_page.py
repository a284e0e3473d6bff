"""The completed application offers the SKM questionnaire on its page (not only by email),
and the complaint form starts with a signed-in citizen's name and contact (issue 17 item 7)."""

from __future__ import annotations

from agencies.models import StaffRole
from applications.services import output_generate
from applications.statemachine import application_transition


def _go(app, action, actor):
    return application_transition(application_id=app.pk, action=action, actor=actor)


def test_completed_application_page_links_to_the_skm(
    client_a, submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    client_a.force_login(citizen)
    assert "Isi survei" not in client_a.get(f"/permohonan/{app.pk}/").content.decode()
    with in_tenant(tenant_a):
        for action in ("start_verification", "accept", "approve"):
            _go(app, action, officer)
        output_generate(application_id=app.pk, actor=officer,
                        base_url="http://kota-bandung.localhost")
        _go(app, "complete", officer)
    page = client_a.get(f"/permohonan/{app.pk}/").content.decode()
    assert "Survei Kepuasan Masyarakat" in page and "Isi survei" in page
    assert "/skm/" in page
    # another citizen never sees it (the page itself is 404 for them)
    client_a.force_login(staff(StaffRole.Role.FRONT_DESK, kk_offering))
    assert client_a.get(f"/permohonan/{app.pk}/").status_code == 404


def test_complaint_form_prefills_a_signed_in_citizen(client_a, citizen):
    assert f'value="{citizen.full_name}"' not in client_a.get("/pengaduan/baru/").content.decode()
    client_a.force_login(citizen)
    page = client_a.get("/pengaduan/baru/").content.decode()
    assert f'value="{citizen.full_name}"' in page
    assert f'value="{citizen.email}"' in page


def test_berkas_lengkap_needs_every_applicable_requirement_ticked(
    client_a, submit_kk, staff, kk_offering, tenant_a, in_tenant
):
    from applications.models import Application, ApplicationEvent

    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    with in_tenant(tenant_a):
        _go(app, "start_verification", officer)
    client_a.force_login(officer)
    url = f"/kelola/permohonan/{app.pk}/aksi/"
    page = client_a.get(f"/kelola/permohonan/{app.pk}/").content.decode()
    assert 'form="action-accept"' in page and 'id="action-accept"' in page
    # nothing ticked, or one of two: refused, status unchanged, the missing one named
    refused = client_a.post(url, {"action": "accept", "check_kk_lama": "on"}, follow=True)
    assert "Tandai semua persyaratan wajib" in refused.content.decode()
    with in_tenant(tenant_a):
        assert Application.objects.get(pk=app.pk).status == "in_verification"
    # all ticked: accepted, and the event records what was checked
    done = client_a.post(url, {"action": "accept", "check_kk_lama": "on",
                               "check_bukti_perubahan": "on"})
    assert done.status_code == 302
    with in_tenant(tenant_a):
        assert Application.objects.get(pk=app.pk).status == "in_process"
        event = ApplicationEvent.objects.filter(application_id=app.pk, to_status="in_process").get()
        assert event.data["checklist"] == ["bukti_perubahan", "kk_lama"]
