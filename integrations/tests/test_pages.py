"""Back office (/kelola/integrasi/), the citizen's hand-off to an OPD application, and open data
on the platform host."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django_tenants.utils import schema_context

from .conftest import EXTERNAL_URL, INITIATE_URI


def test_external_offering_records_the_application_then_hands_off(
    client_a, tenant_a, in_tenant, agency_a, citizen, external_offering, make_rp
):
    from applications.models import Application

    make_rp(tenant_a, agency_a, initiate_login_uri=INITIATE_URI)
    client_a.force_login(citizen)
    url = f"/layanan/{external_offering.service_code}/buka/"
    assert client_a.get(url).status_code == 200
    response = client_a.post(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == INITIATE_URI
    query = parse_qs(location.query)
    assert query["iss"] == ["http://kota-bandung.localhost/o"]
    assert query["target_link_uri"] == [EXTERNAL_URL]
    with in_tenant(tenant_a):
        application = Application.objects.get(applicant_id=citizen.pk)
        assert application.status == "submitted"
        assert query["mpp_tracking_code"] == [application.tracking_code]
    # a second click reuses the same application while the OPD has not reported on it
    client_a.post(url)
    with in_tenant(tenant_a):
        assert Application.objects.filter(applicant_id=citizen.pk).count() == 1


def test_external_open_needs_login_and_an_external_offering(client_a, citizen, other_offering,
                                                            external_offering):
    url = f"/layanan/{external_offering.service_code}/buka/"
    assert client_a.post(url).status_code == 302  # to login
    client_a.force_login(citizen)
    assert client_a.post(f"/layanan/{other_offering.service_code}/buka/").status_code == 404


def test_admin_registers_an_opd_application_and_sees_secrets_once(client_a, tenant_admin,
                                                                  agency_a):
    client_a.force_login(tenant_admin)
    response = client_a.post("/kelola/integrasi/aplikasi/baru/", {
        "name": "SiCantik", "agency": agency_a.code,
        "redirect_uris": "https://sicantik.example.go.id/cb",
        "allowed_scopes": ["profile", "nik"],
    })
    assert response.status_code == 302
    first = client_a.get("/kelola/integrasi/").content.decode()
    assert "client_secret" in first and "hanya ditampilkan sekali" in first
    second = client_a.get("/kelola/integrasi/").content.decode()
    assert "client_secret" not in second
    assert "SiCantik" in second


def test_back_office_is_for_tenant_admins_only(client_a, client_b, citizen, tenant_admin,
                                               staff_user, tenant_a, agency_a):
    client_a.force_login(citizen)
    assert client_a.get("/kelola/integrasi/").status_code == 403
    officer = staff_user(tenant_a, role="officer", agency=agency_a)
    client_a.force_login(officer)
    assert client_a.get("/kelola/integrasi/").status_code == 403
    # tenant A's admin has no role in tenant B
    client_b.force_login(tenant_admin)
    assert client_b.get("/kelola/integrasi/").status_code == 403


def _rollup(tenant, day, **figures):
    from django.utils import timezone

    from monitoring.models import TenantDailyRollup

    with schema_context("public"):
        TenantDailyRollup.objects.update_or_create(
            tenant=tenant, metric_group="applications", day=day,
            defaults={"metrics": {"per_service": {"X": 1}}, "computed_at": timezone.now(),
                      **figures},
        )


def test_open_data_csv_and_json_on_the_platform_host(
    platform_client, client_a, tenant_a, time_machine
):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    # the 17th: yesterday's rollup belongs to this month too
    time_machine.move_to(dt.datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    today = timezone.localdate()
    _rollup(tenant_a, today, received=7, decided=4, completed=3, met=3, missed=1, new_breaches=1)
    _rollup(tenant_a, today - dt.timedelta(days=1), received=3, decided=0, completed=0, met=0, missed=0, new_breaches=0)
    data = platform_client.get("/data-terbuka/kpi.json").json()
    row = next(r for r in data["rows"] if r["region_code"] == tenant_a.region_code)
    assert row["month"] == today.strftime("%Y-%m")
    assert row["received"] == 10 and row["met"] == 3 and row["sla_compliance_pct"] == 75.0
    assert set(row) == set(data["fields"])
    csv_text = platform_client.get("/data-terbuka/kpi.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("region_code,tenant,kind")
    api = platform_client.get("/api/v1/open-data/kpis/", {"region_code": tenant_a.region_code})
    assert api.status_code == 200 and api.json()[0]["region_code"] == tenant_a.region_code
    assert platform_client.get("/data-terbuka/").status_code == 200
    # not on tenant hosts
    assert client_a.get("/data-terbuka/kpi.json").status_code == 404
    assert client_a.get("/api/v1/open-data/kpis/").status_code == 404


@pytest.mark.parametrize("bad", [{"months": 0}, {"months": "x"}, {"region_code": "3273"}])
def test_open_data_api_validates_input(platform_client, bad):
    response = platform_client.get("/api/v1/open-data/kpis/", bad)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
