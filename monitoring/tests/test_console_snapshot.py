"""The console's figures kept per process (ADR 0016): reused while nothing changes, fresh after
every write the console reads, apart per language, and nothing of a visitor in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import selectors
from monitoring.models import TenantSweepResult
from monitoring.services import sweep_result_record

CONSOLE = "/kementerian/"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def frozen(time_machine):
    # The clock stands still: freshness must not depend on timestamps moving.
    time_machine.move_to(datetime(2026, 6, 20, 10, 0, tzinfo=WIB), tick=False)


def _row_of(response, tenant):
    html = response.content.decode()
    start = html.index(f"<td><a href=\"/kementerian/tenant/{tenant.region_code}/\">")
    return html[start:html.index("</tr>", start)]


def test_snapshot_is_reused_until_the_figures_change(frozen, tenant_a, make_rollups):
    # given rollups and a first read
    make_rollups(tenant_a, met=4, missed=1)
    first = selectors.console_snapshot()
    # when nothing changes, the same snapshot comes back for one query
    with CaptureQueriesContext(connection) as ctx:
        again = selectors.console_snapshot()
    assert again is first
    assert len([q for q in ctx.captured_queries if q["sql"].lstrip().startswith("SELECT")]) == 1
    # when a rollup is written again (same rows, same frozen instant), it is rebuilt
    make_rollups(tenant_a, met=1, missed=4)
    rebuilt = selectors.console_snapshot()
    assert rebuilt is not first
    row = next(r for r in rebuilt.rows if r.id == tenant_a.pk)
    assert (row.met_month, row.missed_month) == (10, 40)


def test_console_shows_each_write_on_the_next_request(
    frozen, ministry_client, tenant_a, tenant_b, make_rollups
):
    make_rollups(tenant_a, met=4, missed=1)
    make_rollups(tenant_b, met=5, missed=0)
    html = ministry_client.get(CONSOLE).content.decode()
    assert "80.0 %" in html or "80,0 %" in html
    # a rollup upsert of the same days with other figures
    make_rollups(tenant_a, met=1, missed=1)
    response = ministry_client.get(CONSOLE)
    assert "50.0 %" in _row_of(response, tenant_a) or "50,0 %" in _row_of(response, tenant_a)
    assert response.context["national"].missed_month == 10
    # a failed sweep of tenant B
    sweep_result_record(tenant_id=tenant_b.pk, run_id=None,
                        status=TenantSweepResult.Status.FAILED, error="uji: basis data mati")
    response = ministry_client.get(CONSOLE)
    assert "badge-err" in _row_of(response, tenant_b)
    assert response.context["national"].sweep_failures == 1
    # a tenant suspended by the platform
    from tenants.lifecycle import tenant_suspend

    tenant_suspend(tenant=tenant_a, actor="uji", reason="pemeliharaan")
    response = ministry_client.get(CONSOLE)
    assert "Ditangguhkan" in _row_of(response, tenant_a)
    # and the ranking follows the figures
    assert [r.name for r in response.context["best"]][:1] == [tenant_b.name]


def test_console_queries_once_figures_are_known(
    frozen, ministry_client, tenant_a, make_rollups, extra_tenants
):
    make_rollups(tenant_a)
    for tenant in extra_tenants(30):
        make_rollups(tenant)
    with CaptureQueriesContext(connection) as cold:
        assert ministry_client.get(CONSOLE).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert ministry_client.get(CONSOLE).status_code == 200
    # the fingerprint instead of the four rollup reads and the trend
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 4
    assert not any("monitoring_tenantdailyrollup\" WHERE" in q["sql"]
                   for q in warm.captured_queries)


def test_snapshot_is_kept_per_language(frozen, ministry_client, tenant_a, make_rollups):
    make_rollups(tenant_a)
    ministry_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _row_of(ministry_client.get(CONSOLE), tenant_a)
    ministry_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    indonesian = _row_of(ministry_client.get(CONSOLE), tenant_a)
    label = tenant_a.get_state_display()
    assert label in indonesian
    assert english != indonesian


def test_shared_fragments_hold_nothing_of_the_first_visitor(
    frozen, platform_client, user_factory, tenant_a, make_rollups
):
    make_rollups(tenant_a)
    first = user_factory(ministry_role="viewer", email="pertama@menpan.go.id",
                         full_name="Pemantau Pertama")
    platform_client.force_login(first)
    token_first = platform_client.get(CONSOLE).context["csrf_token"]
    second = user_factory(ministry_role="viewer", email="kedua@menpan.go.id",
                          full_name="Pemantau Kedua")
    platform_client.force_login(second)
    html = platform_client.get(CONSOLE).content.decode()
    assert "Pemantau Pertama" not in html and "pertama@menpan.go.id" not in html
    assert str(token_first) not in html
