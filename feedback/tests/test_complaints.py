"""Complaints: working-day targets with holidays, transitions, auto-complaint on breach,
SP4N-LAPOR! export, tracking, and cross-tenant isolation."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agencies.models import StaffRole
from feedback import services as fs
from feedback.errors import InvalidComplaint, InvalidTransition
from feedback.models import Complaint, FeedbackSettings
from feedback.tests.fixtures import make_application

WIB = ZoneInfo("Asia/Jakarta")


def _complaint(hall, **kwargs):
    values = {"actor": None, "subject": "service", "service_code": hall.offering.service_code,
              "title": "Petugas tidak hadir", "shortfall": "Loket tutup pada jam layanan.",
              "name": "Siti", "contact": "siti@example.id"}
    values.update(kwargs)
    return fs.complaint_create(**values)


def test_targets_skip_idul_fitri_holidays(hall_a, in_tenant, monkeypatch):
    # given a complaint received Tuesday 17 March 2026 10:00 WIB, just before Nyepi and the
    # Idul Fitri holidays and cuti bersama (18-24 March)
    moment = datetime(2026, 3, 17, 10, 0, tzinfo=WIB)
    monkeypatch.setattr(fs.timezone, "now", lambda: moment)
    with in_tenant(hall_a.tenant):
        complaint = _complaint(hall_a)
    # then 3 working days (receipt day not counted) → Wed 25, Thu 26, Fri 27 at closing (16:30)
    assert complaint.verify_due.astimezone(WIB) == datetime(2026, 3, 27, 16, 30, tzinfo=WIB)
    # 3 + 5 working days → Mon 6 April (Good Friday 3 April is skipped)
    assert complaint.respond_due.astimezone(WIB).date().isoformat() == "2026-04-06"
    assert complaint.tracking_code.startswith("ADU-")
    assert complaint.timeline[0]["status"] == "submitted"


def test_targets_are_configurable_per_tenant(hall_a, in_tenant, monkeypatch):
    moment = datetime(2026, 6, 2, 9, 0, tzinfo=WIB)  # Tuesday
    monkeypatch.setattr(fs.timezone, "now", lambda: moment)
    with in_tenant(hall_a.tenant):
        FeedbackSettings.objects.update_or_create(pk=1, defaults={"verify_days": 1})
        complaint = _complaint(hall_a)
    assert complaint.verify_due.astimezone(WIB) == datetime(2026, 6, 3, 16, 0, tzinfo=WIB)


def test_transitions_and_timeline(hall_a, in_tenant, staff_user):
    admin = staff_user(hall_a.tenant)
    with in_tenant(hall_a.tenant):
        complaint = _complaint(hall_a, identity="anonymous", name="X", contact="x@y.z")
        assert complaint.name == "" and complaint.contact == ""  # anonymous keeps nothing
        with pytest.raises(InvalidTransition):
            fs.complaint_transition(actor=admin, complaint=complaint, action="close")
        fs.complaint_transition(actor=admin, complaint=complaint, action="verify")
        with pytest.raises(InvalidComplaint):
            fs.complaint_transition(actor=admin, complaint=complaint, action="respond", note="")
        fs.complaint_transition(actor=admin, complaint=complaint, action="respond",
                                note="Petugas cadangan disiapkan.")
        done = fs.complaint_transition(actor=admin, complaint=complaint, action="close")
        assert [e["status"] for e in done.timeline] == ["submitted", "verified", "responded", "closed"]
        assert done.closed_at and done.responded_at and done.verified_at


def test_auto_complaint_on_breach_only_when_enabled_and_once(hall_a, in_tenant, user_factory):
    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        application = make_application(hall_a, applicant_id=citizen.pk, status="in_process")
        assert fs.complaint_open_for_breach(application.pk) is None  # disabled by default
        FeedbackSettings.objects.update_or_create(pk=1, defaults={"auto_complaint_on_breach": True})
        first = fs.complaint_open_for_breach(application.pk)
        second = fs.complaint_open_for_breach(application.pk)
        assert first.pk == second.pk
        assert first.origin == "sla_breach" and first.identity == "confidential"
        assert first.agency_id == hall_a.agency.pk and first.complainant_id == citizen.pk
        assert Complaint.objects.filter(application_id=application.pk).count() == 1


def test_complaint_against_application_and_ticket(hall_a, in_tenant, user_factory):
    from hall.services import walk_in_issue

    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        application = make_application(hall_a, applicant_id=citizen.pk)
        on_app = _complaint(hall_a, actor=citizen, subject="application",
                            reference=application.tracking_code, name="", contact="")
        assert on_app.application_id == application.pk and on_app.complainant_id == citizen.pk
        ticket = walk_in_issue(actor=None, service_code=hall_a.offering.service_code)
        on_ticket = _complaint(hall_a, subject="ticket", reference=ticket.code)
        assert on_ticket.ticket_id == ticket.pk
        with pytest.raises(InvalidComplaint):
            _complaint(hall_a, subject="application", reference="NOPE")


def test_public_form_tracking_and_lapor_export(hall_a, in_tenant, client_a, staff_user):
    response = client_a.post("/pengaduan/baru/", {
        "subject": "service", "service_code": hall_a.offering.service_code, "identity": "confidential",
        "name": "Budi", "contact": "=HYPERLINK(1)", "title": "Antrean lama",
        "shortfall": "Menunggu 3 jam.", "remedy": "Tambah loket",
    })
    assert response.status_code == 200
    with in_tenant(hall_a.tenant):
        complaint = Complaint.objects.get()
    tracked = client_a.get(f"/pengaduan/lacak/?kode={complaint.tracking_code.lower()}")
    assert "Antrean lama" in tracked.content.decode()
    assert "Budi" not in tracked.content.decode()
    # OPD officer: confidential identity hidden; admin sees it
    # (a fixed name: a random Indonesian name may itself contain "Budi" and show in the menu)
    officer = staff_user(hall_a.tenant, role=StaffRole.Role.OFFICER, agency=hall_a.agency,
                         full_name="Petugas Uji")
    client_a.force_login(officer)
    detail = client_a.get(f"/kelola/pengaduan/{complaint.pk}/").content.decode()
    assert "Budi" not in detail
    client_a.force_login(staff_user(hall_a.tenant))
    assert "Budi" in client_a.get(f"/kelola/pengaduan/{complaint.pk}/").content.decode()
    exported = client_a.get("/kelola/pengaduan/ekspor/?format=json")
    rows = json.loads(exported.content)
    assert rows[0]["tracking_id"] == complaint.tracking_code
    assert rows[0]["rahasia"] is True and rows[0]["nama_pelapor"] == ""
    assert rows[0]["tuntutan"] == "Tambah loket"
    csv_body = client_a.get("/kelola/pengaduan/ekspor/?format=csv").content.decode()
    assert csv_body.splitlines()[0].startswith("tracking_id,tanggal_laporan,judul")


def test_other_tenant_staff_see_nothing_and_change_nothing(hall_a, in_tenant, client_b, staff_user,
                                                           tenant_b):
    with in_tenant(hall_a.tenant):
        complaint = _complaint(hall_a)
    admin_b = staff_user(tenant_b)
    client_b.force_login(admin_b)
    assert client_b.get(f"/kelola/pengaduan/{complaint.pk}/").status_code == 404
    assert client_b.post(f"/kelola/pengaduan/{complaint.pk}/", {"action": "verify"}).status_code == 404
    listed = client_b.get("/api/v1/complaints/").json()
    assert listed["results"] == []
    assert complaint.tracking_code not in client_b.get("/kelola/pengaduan/ekspor/?format=csv").content.decode()
    assert client_b.get(f"/api/v1/complaints/track/{complaint.tracking_code}/").status_code == 404
    with in_tenant(hall_a.tenant):
        assert Complaint.objects.get(pk=complaint.pk).status == "submitted"


def test_the_complaint_form_prefills_a_signed_in_citizen(hall_a, client_a, user_factory):
    """Issue 17 item 7: a signed-in citizen does not retype their name and contact."""
    citizen = user_factory(full_name="Rina Prefill", email="rina.prefill@example.id")
    anonymous = client_a.get("/pengaduan/baru/").content.decode()
    assert "Rina Prefill" not in anonymous
    client_a.force_login(citizen)
    page = client_a.get("/pengaduan/baru/").content.decode()
    assert 'value="Rina Prefill"' in page
    assert 'value="rina.prefill@example.id"' in page
