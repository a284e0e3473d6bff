"""/kelola/sla/ pages and /api/v1/sla/calendar/, with permission and cross-tenant checks."""

from __future__ import annotations

import pytest

from agencies.models import StaffRole
from sla.models import CalendarVersion, SlaPolicy


def _calendar_snapshot(tenant, in_tenant) -> list[tuple]:
    with in_tenant(tenant):
        return list(CalendarVersion.objects.order_by("version").values_list(
            "version", "working_days", "windows", "include_cuti_bersama", "local_holidays",
        ))


def _policy_snapshot(tenant, in_tenant) -> list[tuple]:
    with in_tenant(tenant):
        return list(SlaPolicy.objects.order_by("pk").values_list(
            "target_value", "target_unit", "at_risk_threshold", "deemed_approval",
        ))


def _calendar_form(**extra) -> dict[str, object]:
    data: dict[str, object] = {
        "working_days": ["0", "1", "2", "3", "4"],
        "windows_0": "08:00-12:00, 13:00-16:00", "windows_1": "08:00-12:00, 13:00-16:00",
        "windows_2": "08:00-12:00, 13:00-16:00", "windows_3": "08:00-12:00, 13:00-16:00",
        "windows_4": "08:00-11:30, 13:30-16:30", "windows_5": "", "windows_6": "",
        "include_cuti_bersama": "on", "note": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def admin_client_a(client_a, tenant_a, staff_user):
    client_a.force_login(staff_user(tenant_a))
    return client_a


def test_calendar_page_shows_the_current_version(admin_client_a):
    html = admin_client_a.get("/kelola/sla/").content.decode()
    assert "Kalender kerja versi 1" in html
    assert 'value="08:00-11:30, 13:30-16:30"' in html
    assert "Hari libur 12 bulan ke depan" in html
    assert "Belum ada hari libur daerah." in html


def test_invalid_windows_show_field_errors_keep_input_and_save_nothing(
    admin_client_a, tenant_a, in_tenant
):
    before = _calendar_snapshot(tenant_a, in_tenant)
    response = admin_client_a.post("/kelola/sla/", _calendar_form(
        windows_4="08:00-12:00, 11:00-16:00", windows_1="16:00-08:00",
    ))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Jumat: jam kerja 08:00–12:00 tumpang tindih dengan 11:00–16:00." in html
    assert "Selasa: jam selesai (08:00) harus setelah jam mulai (16:00)." in html
    assert 'value="08:00-12:00, 11:00-16:00"' in html
    bad_format = admin_client_a.post("/kelola/sla/", _calendar_form(windows_0="pagi"))
    assert "Format jam tidak dikenali" in bad_format.content.decode()
    no_days = admin_client_a.post("/kelola/sla/", _calendar_form(working_days=[]))
    assert "Pilih minimal satu hari kerja." in no_days.content.decode()
    assert _calendar_snapshot(tenant_a, in_tenant) == before


def test_valid_calendar_creates_a_version(admin_client_a, tenant_a, in_tenant):
    response = admin_client_a.post("/kelola/sla/", _calendar_form(
        working_days=["0", "1", "2", "3", "4", "5"], windows_5="08:00-12:00", note="Sabtu buka",
    ))
    assert response.status_code == 302
    versions = _calendar_snapshot(tenant_a, in_tenant)
    assert [v[0] for v in versions] == [1, 2]
    assert versions[1][1] == [0, 1, 2, 3, 4, 5]
    assert versions[1][2]["5"] == [["08:00", "12:00"]]
    history = admin_client_a.get("/kelola/sla/riwayat/").content.decode()
    assert "Sabtu buka" in history


def test_local_holidays_add_and_remove(admin_client_a, tenant_a, in_tenant):
    added = admin_client_a.post("/kelola/sla/libur/", {"date": "2026-09-25", "name": "Hari Jadi"})
    assert added.status_code == 302
    duplicate = admin_client_a.post("/kelola/sla/libur/", {"date": "2026-09-25", "name": "Lagi"})
    assert duplicate.status_code == 400
    assert "sudah ada di daftar hari libur daerah" in duplicate.content.decode()
    empty = admin_client_a.post("/kelola/sla/libur/", {"date": "", "name": ""})
    assert "Isi tanggal hari libur." in empty.content.decode()
    assert admin_client_a.post("/kelola/sla/libur/2026-09-25/hapus/").status_code == 302
    versions = _calendar_snapshot(tenant_a, in_tenant)
    assert [(v[0], v[4]) for v in versions] == [
        (1, []), (2, [{"date": "2026-09-25", "name": "Hari Jadi"}]), (3, []),
    ]


def test_policy_page_errors_per_field_and_nothing_saved(
    admin_client_a, tenant_a, in_tenant, permit_offering_a
):
    before = _policy_snapshot(tenant_a, in_tenant)
    response = admin_client_a.post("/kelola/sla/layanan/T-SIP/", {
        "target_value": "-2", "target_unit": "working_days", "at_risk_percent": "100",
    })
    html = response.content.decode()
    assert response.status_code == 400
    assert "Target harus lebih dari 0." in html
    assert "Ambang berisiko harus lebih dari 0 dan kurang dari 100 persen." in html
    assert 'value="-2"' in html
    assert _policy_snapshot(tenant_a, in_tenant) == before
    ok = admin_client_a.post("/kelola/sla/layanan/T-SIP/", {
        "target_value": "3", "target_unit": "working_days", "at_risk_percent": "80",
    })
    assert ok.status_code == 302
    assert _policy_snapshot(tenant_a, in_tenant)[0][:2] == (3, "working_days")


def test_officer_sees_the_calendar_but_cannot_change_it(
    client_a, tenant_a, in_tenant, staff_user, agency_a, permit_offering_a
):
    client_a.force_login(staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=agency_a))
    before = (_calendar_snapshot(tenant_a, in_tenant), _policy_snapshot(tenant_a, in_tenant))
    page = client_a.get("/kelola/sla/")
    assert page.status_code == 200
    assert "Simpan sebagai versi baru" not in page.content.decode()
    assert client_a.post("/kelola/sla/", _calendar_form(working_days=["0"])).status_code == 403
    assert client_a.post("/kelola/sla/libur/", {"date": "2026-09-25", "name": "X"}
                         ).status_code == 403
    assert client_a.get("/kelola/sla/layanan/T-SIP/").status_code == 403
    assert client_a.get("/api/v1/sla/calendar/").status_code == 403
    assert (_calendar_snapshot(tenant_a, in_tenant), _policy_snapshot(tenant_a, in_tenant)) == before


def test_citizen_gets_403(client_a, user_factory):
    client_a.force_login(user_factory())
    assert client_a.get("/kelola/sla/").status_code == 403
    assert client_a.get("/api/v1/sla/calendar/").status_code == 403


def test_calendar_api_get_and_put(admin_client_a, tenant_a, in_tenant):
    current = admin_client_a.get("/api/v1/sla/calendar/").json()
    assert current["version"] == 1 and current["working_days"] == [0, 1, 2, 3, 4]
    body = {**current, "include_cuti_bersama": False,
            "local_holidays": [{"date": "2026-09-25", "name": "Hari Jadi"}], "note": "API"}
    response = admin_client_a.put("/api/v1/sla/calendar/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["local_holidays"] == [{"date": "2026-09-25", "name": "Hari Jadi"}]


def test_calendar_api_invalid_windows_are_field_errors(admin_client_a, tenant_a, in_tenant):
    before = _calendar_snapshot(tenant_a, in_tenant)
    current = admin_client_a.get("/api/v1/sla/calendar/").json()
    windows = {**current["windows"], "4": [["08:00", "12:00"], ["11:00", "16:00"]],
               "0": [["20:00", "24:30"]]}
    response = admin_client_a.put("/api/v1/sla/calendar/", {**current, "windows": windows},
                                  content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_calendar"
    assert "tumpang tindih" in body["extra"]["fields"]["windows_4"][0]
    assert "di luar rentang" in body["extra"]["fields"]["windows_0"][0]
    assert _calendar_snapshot(tenant_a, in_tenant) == before


def test_admin_of_b_cannot_see_or_change_a_calendar_or_policies(
    tenant_a, tenant_b, in_tenant, staff_user, client_a, client_b, permit_offering_a
):
    admin_b = staff_user(tenant_b)
    client_a.force_login(admin_b)
    client_b.force_login(admin_b)
    before = (_calendar_snapshot(tenant_a, in_tenant), _policy_snapshot(tenant_a, in_tenant))
    before_b = _calendar_snapshot(tenant_b, in_tenant)
    # on A's host: no role
    assert client_a.get("/kelola/sla/").status_code == 403
    assert client_a.post("/kelola/sla/", _calendar_form(working_days=["0"])).status_code == 403
    assert client_a.put("/api/v1/sla/calendar/", {}, content_type="application/json"
                        ).status_code == 403
    assert client_a.post("/kelola/sla/layanan/T-SIP/", {"target_value": "99"}).status_code == 403
    # on B's host: A's offering does not exist; B's calendar is B's own
    assert client_b.get("/kelola/sla/layanan/T-SIP/").status_code == 404
    assert client_b.post("/kelola/sla/layanan/T-SIP/", {
        "target_value": "99", "target_unit": "working_days", "at_risk_percent": "75",
    }).status_code == 404
    assert "T-SIP" not in client_b.get("/kelola/sla/").content.decode()
    assert (_calendar_snapshot(tenant_a, in_tenant), _policy_snapshot(tenant_a, in_tenant)) == before
    assert _calendar_snapshot(tenant_b, in_tenant) == before_b
