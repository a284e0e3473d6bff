"""Ministry console: access rules, figures, filters, constant query count, exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from monitoring.selectors import console_snapshot_clear
from tenants import routing

CONSOLE = "/kementerian/"
WIB = ZoneInfo("Asia/Jakarta")


def test_console_redirects_anonymous_to_login(platform_client):
    response = platform_client.get(CONSOLE)
    assert response.status_code == 302
    assert "/masuk/" in response["Location"]


def test_console_refuses_users_without_ministry_role(platform_client, user_factory):
    # given a logged-in citizen
    platform_client.force_login(user_factory())
    # then every console URL answers 403
    for url in (CONSOLE, f"{CONSOLE}ekspor.csv", f"{CONSOLE}tenant/32.73/"):
        assert platform_client.get(url).status_code == 403


def test_console_does_not_exist_on_tenant_hosts(client_a, ministry_user):
    client_a.force_login(ministry_user)
    for url in (CONSOLE, f"{CONSOLE}ekspor.xlsx", f"{CONSOLE}tenant/32.73/"):
        assert client_a.get(url).status_code == 404


def test_console_lists_every_tenant_with_figures(
    ministry_client, tenant_a, tenant_b, make_rollups, extra_tenants, time_machine
):
    # given the 20th of a month (ten days of rollups all fall in this month) ...
    time_machine.move_to(datetime(2026, 6, 20, 10, 0, tzinfo=WIB), tick=False)
    # ... rollups for A (80 % compliant) and B (100 %) and a registered tenant without data
    make_rollups(tenant_a, met=4, missed=1)
    make_rollups(tenant_b, met=5, missed=0)
    [registered] = extra_tenants(1)
    # when the ministry opens the console
    response = ministry_client.get(CONSOLE)
    # then every tenant is listed, with compliance, a sparkline and the national aggregate
    assert response.status_code == 200
    html = response.content.decode()
    assert tenant_a.name in html and tenant_b.name in html and registered.name in html
    assert "80.0 %" in html or "80,0 %" in html
    assert "<svg" in html and 'class="spark"' in html
    national = response.context["national"]
    assert national.tenants >= 3
    assert national.met_month >= 90 and national.missed_month >= 10
    best, _worst = response.context["best"], response.context["worst"]
    assert best[0].name == tenant_b.name


def test_console_month_figures_start_on_the_first(
    ministry_client, tenant_a, make_rollups, time_machine
):
    # given the 3rd of a month and ten days of rollups (seven of them in the previous month)
    time_machine.move_to(datetime(2026, 6, 3, 8, 0, tzinfo=WIB), tick=False)
    make_rollups(tenant_a, met=4, missed=1)
    # then only the three days of this month count
    row = next(r for r in ministry_client.get(CONSOLE).context["page"].object_list
               if r.name == tenant_a.name)
    assert (row.met_month, row.missed_month) == (12, 3)


def test_console_filters_sort_and_search(
    ministry_client, tenant_a, tenant_b, make_rollups, extra_tenants
):
    make_rollups(tenant_a, met=1, missed=1)  # 50 % -> poor
    make_rollups(tenant_b, met=19, missed=1)  # 95 % -> good
    extra_tenants(3)
    names = lambda r: [row.name for row in r.context["page"].object_list]  # noqa: E731
    assert names(ministry_client.get(CONSOLE, {"band": "poor"})) == [tenant_a.name]
    assert names(ministry_client.get(CONSOLE, {"band": "good"})) == [tenant_b.name]
    assert names(ministry_client.get(CONSOLE, {"q": "33.14"})) == [tenant_b.name]
    assert names(ministry_client.get(CONSOLE, {"q": "bandung"})) == [tenant_a.name]
    assert tenant_a.name in names(ministry_client.get(CONSOLE, {"province": "32"}))
    assert tenant_b.name not in names(ministry_client.get(CONSOLE, {"province": "32"}))
    assert names(ministry_client.get(CONSOLE, {"state": "live"})) == sorted(
        [tenant_a.name, tenant_b.name]
    )
    ordered = names(ministry_client.get(CONSOLE, {"sort": "-compliance", "state": "live"}))
    assert ordered == [tenant_b.name, tenant_a.name]


def _count_queries(client, url, *, warm_up=True):
    if warm_up:
        client.get(url)  # the first request binds the session to the host
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [CONSOLE, "/api/v1/monitoring/tenants/",
                                 "/api/v1/monitoring/summary/"])
def test_query_count_does_not_grow_with_tenants(
    ministry_client, tenant_a, tenant_b, make_rollups, extra_tenants, django_assert_num_queries,
    url,
):
    # given two tenants with rollups, read once the figures have changed and once they are known
    make_rollups(tenant_a)
    make_rollups(tenant_b)
    baseline = _count_queries(ministry_client, url)  # warm: the kept figures (ADR 0016)
    console_snapshot_clear()
    routing.forget()  # as a new tenant row does (tenants.routing)
    cold = _count_queries(ministry_client, url, warm_up=False)
    # when 60 more tenants (with 10 days of rollups each) are registered
    for tenant in extra_tenants(60):
        make_rollups(tenant)
    # then the page costs exactly the same number of queries, right after the change ...
    with django_assert_num_queries(cold):
        assert ministry_client.get(url).status_code == 200
    # ... and once the figures are known
    with django_assert_num_queries(baseline):
        assert ministry_client.get(url).status_code == 200
    # routing + session + user, the rollup reads, and the schema_context SETs
    assert baseline < cold <= 16


def test_csv_export_opens_as_utf8_spreadsheet(ministry_client, tenant_a, make_rollups):
    make_rollups(tenant_a, met=3, missed=1)
    response = ministry_client.get(f"{CONSOLE}ekspor.csv", {"q": "32.73"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Kode wilayah" and "Kepatuhan SLA (%)" in header
    assert [r[0] for r in body] == ["32.73"]
    record = dict(zip(header, body[0], strict=True))
    assert record["Nama"] == tenant_a.name
    assert float(record["Kepatuhan SLA (%)"]) == 75.0


def test_xlsx_export_opens_in_a_spreadsheet(ministry_client, tenant_a, tenant_b, make_rollups):
    make_rollups(tenant_a, met=3, missed=1)
    response = ministry_client.get(f"{CONSOLE}ekspor.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Tenant", "Provinsi"]
    sheet = workbook["Tenant"]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["Kode wilayah", "Nama"]
    by_code = {row[0]: dict(zip(header, row, strict=True))
               for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_code["32.73"]["Kepatuhan SLA (%)"] == 75.0  # a number, not text
    assert by_code["32.73"]["Permohonan bulan ini"] >= 5
    assert sheet.freeze_panes == "A2"


def test_drill_down_reads_rollups(ministry_client, tenant_a, make_rollups):
    from django.utils import timezone

    from monitoring.models import MetricGroup
    from monitoring.services import RollupRow, rollup_upsert

    make_rollups(tenant_a)
    today = timezone.localdate()
    rollup_upsert(rows=[
        RollupRow(tenant_a.pk, today, MetricGroup.SERVICES, {"items": [
            {"code": "KTP-BARU", "name": "KTP-el baru", "category": "ADM", "agency": "Dukcapil",
             "enabled": True, "channel": "online", "sla": "5 hari kerja",
             "deemed_approval": False}], "live_services": 1, "total_services": 1}),
        RollupRow(tenant_a.pk, today, MetricGroup.BREACHES, {"items": [
            {"tracking_code": "BDG-XYZ-1", "service_code": "KTP-BARU", "agency": "Dukcapil",
             "due_at": "2026-01-05T09:00:00+00:00", "status": "in_process",
             "overdue_hours": 30.0}], "total": 1, "limit": 200}),
    ])
    response = ministry_client.get(f"{CONSOLE}tenant/{tenant_a.region_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "BDG-XYZ-1" in html and "KTP-el baru" in html
    assert ministry_client.get(f"{CONSOLE}tenant/99.99/").status_code == 404
