"""Dashboard: constant number of queries, exports, roles, and no cross-tenant data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from feedback import services as fs
from feedback.tests.fixtures import make_application, walk_in_served
from reports.selectors import DASHBOARD_QUERIES, dashboard, month_period

ANSWERS = {f"u{i}": 3 for i in range(1, 10)}


@pytest.fixture(autouse=True)
def _mid_month(time_machine):
    """The fixtures date applications two days back: keep them inside this month."""
    time_machine.move_to(dt.datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")))


def _fill(hall, user_factory, n: int) -> None:
    for _ in range(n):
        citizen = user_factory()
        make_application(hall, applicant_id=citizen.pk)
        make_application(hall, applicant_id=citizen.pk, status="in_process",
                         due_at=timezone.now() - timezone.timedelta(hours=1), completed_at=None)
        _ticket, token = walk_in_served(hall)
        fs.skm_submit(token=token, user=None, answers=ANSWERS)


def _queries(period) -> int:
    with CaptureQueriesContext(connection) as ctx:
        dashboard(period=period, tz="Asia/Jakarta")
    # django-tenants may add one "SET search_path" when the schema was switched
    return len([q for q in ctx.captured_queries if "search_path" not in q["sql"]])


def test_query_count_is_constant(hall_a, in_tenant, user_factory):
    with in_tenant(hall_a.tenant):
        period = month_period(None, today=timezone.localdate())
        empty = _queries(period)
        _fill(hall_a, user_factory, 3)
        full = _queries(period)
    assert empty == full == DASHBOARD_QUERIES


def test_figures(hall_a, in_tenant, user_factory):
    with in_tenant(hall_a.tenant):
        _fill(hall_a, user_factory, 2)
        board = dashboard(period=month_period(None, today=timezone.localdate()), tz="Asia/Jakarta")
    assert board.totals["received"] == 4
    assert board.totals["met"] == 2 and board.totals["breached"] == 2
    assert board.totals["compliance_pct"] == 100.0
    assert board.totals["median_hours"] == pytest.approx(48, abs=0.5)
    assert board.queue_totals["served"] == 2
    assert board.queue_totals["avg_wait_minutes"] == pytest.approx(5, abs=0.2)
    assert board.queue_by_counter[0]["avg_service_minutes"] == pytest.approx(10, abs=0.2)
    assert board.ikm.converted_display == "75.00" and board.ikm.grade == "C"
    assert board.ikm.respondents == 2 and board.ikm.population == 2


def test_pages_and_exports_for_admin(hall_a, in_tenant, client_a, staff_user, user_factory):
    with in_tenant(hall_a.tenant):
        _fill(hall_a, user_factory, 1)
    client_a.force_login(staff_user(hall_a.tenant))
    page = client_a.get("/kelola/laporan/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "75.00" in body
    csv_body = client_a.get("/kelola/laporan/ekspor.csv").content.decode()
    assert csv_body.startswith("bagian,butir,ukuran,nilai")
    xlsx = client_a.get("/kelola/laporan/ekspor.xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = client_a.get("/kelola/laporan/cetak.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    api = client_a.get("/api/v1/reports/summary/").json()
    assert api["ikm"]["ikm_converted"] == "75.00"


def test_officers_cannot_open_reports(hall_a, client_a, staff_user):
    officer = staff_user(hall_a.tenant, role=StaffRole.Role.OFFICER, agency=hall_a.agency)
    client_a.force_login(officer)
    assert client_a.get("/kelola/laporan/").status_code == 403
    assert client_a.get("/api/v1/reports/summary/").status_code == 403


def test_agency_head_sees_only_their_opd(hall_a, in_tenant, user_factory, staff_user, client_a):
    from feedback.tests.fixtures import make_hall

    other = make_hall(hall_a.tenant, in_tenant, code="H-SIP")
    with in_tenant(hall_a.tenant):
        _fill(hall_a, user_factory, 1)
        _fill(other, user_factory, 2)
    head = staff_user(hall_a.tenant, role=StaffRole.Role.AGENCY_HEAD, agency=hall_a.agency)
    client_a.force_login(head)
    data = client_a.get("/api/v1/reports/summary/").json()
    assert data["applications"]["received"] == 2
    assert data["queue"]["served"] == 1


def test_one_tenant_never_sees_another_tenants_data(hall_a, hall_b, in_tenant, user_factory,
                                                    staff_user, client_b, client_a):
    with in_tenant(hall_a.tenant):
        _fill(hall_a, user_factory, 2)
        before_a = dashboard(period=month_period(None, today=timezone.localdate()), tz="Asia/Jakarta")
    admin_b = staff_user(hall_b.tenant)
    client_b.force_login(admin_b)
    data = client_b.get("/api/v1/reports/summary/").json()
    assert data["applications"]["received"] == 0
    assert data["queue"]["tickets"] == 0
    assert data["ikm"]["respondents"] == 0
    page = client_b.get("/kelola/laporan/").content.decode()
    assert hall_a.offering.service_code not in page
    assert hall_a.counter.name not in page
    csv_b = client_b.get("/kelola/laporan/ekspor.csv").content.decode()
    assert hall_a.offering.service_code not in csv_b
    # B's admin on A's host: no role there → 403, and A's figures did not change
    client_a.force_login(admin_b)
    assert client_a.get("/kelola/laporan/").status_code == 403
    assert client_a.get("/api/v1/reports/summary/").status_code == 403
    with in_tenant(hall_a.tenant):
        after_a = dashboard(period=month_period(None, today=timezone.localdate()), tz="Asia/Jakarta")
    assert after_a.totals == before_a.totals
    assert after_a.queue_totals == before_a.queue_totals


def test_rollup_metrics(hall_a, in_tenant, user_factory):
    from feedback.rollup import complaints_day_metrics, ikm_day_metrics, rollup_feedback_tenant
    from hall.rollup import queue_day_metrics
    from monitoring.models import TenantDailyRollup

    with in_tenant(hall_a.tenant):
        _fill(hall_a, user_factory, 1)
        today = timezone.localdate()
        assert ikm_day_metrics(day=today, tz="Asia/Jakarta")["day"]["ikm_converted"] == "75.00"
        assert queue_day_metrics(day=today)["served"] == 1
        assert complaints_day_metrics(day=today, tz="Asia/Jakarta")["received"] == 0
        assert rollup_feedback_tenant(tenant_id=hall_a.tenant.pk, tz="Asia/Jakarta") == 3
    groups = set(TenantDailyRollup.objects.filter(tenant=hall_a.tenant).values_list("metric_group", flat=True))
    assert {"ikm", "complaints", "queue"} <= groups
