"""Citizen dashboard, staff worklist (filters, sort, pagination, constant queries) and API."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from applications.models import Application, ApplicationEvent
from applications.tests.conftest import kk_form_data


def _bulk(offering, applicant_id, n, **fields):
    now = timezone.now()
    rows = [Application(
        offering=offering, service_code=offering.service_code,
        service_version_id=offering.service_version_id, agency_id=offering.agency_id,
        applicant_id=applicant_id, status=fields.get("status", "in_process"),
        tracking_code=f"3273-{offering.service_code.replace('-', '')}-2601-{i:04d}-{uuid.uuid4().hex[:4]}",
        submitted_at=now, clock_started_at=now,
        due_at=now + timedelta(days=i + 1), sla_state=fields.get("sla_state", "on_track"),
    ) for i in range(n)]
    return Application.objects.bulk_create(rows)


def test_worklist_sorts_by_urgency_filters_paginates_in_constant_queries(
    client_a, citizen, staff, kk_offering, sip_offering, tenant_a, in_tenant
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    with in_tenant(tenant_a):
        _bulk(kk_offering, citizen.pk, 30)
        breached = _bulk(kk_offering, citizen.pk, 1, sla_state="breached")[0]
        at_risk = _bulk(kk_offering, citizen.pk, 1, sla_state="at_risk")[0]
        _bulk(sip_offering, citizen.pk, 5)  # another OPD: never listed for this officer
    client_a.force_login(officer)
    client_a.get("/kelola/permohonan/")  # warm-up (sessions, caches)
    with CaptureQueriesContext(connection) as small:
        first = client_a.get("/kelola/permohonan/")
    rows = first.content.decode().split("<tbody>")[1]
    assert rows.index(breached.tracking_code) < rows.index(at_risk.tracking_code)
    assert "SIPDOKTER" not in rows
    assert "32 permohonan" in first.content.decode()
    with in_tenant(tenant_a):
        _bulk(kk_offering, citizen.pk, 40)
    nxt = re.search(r'href="\?after=([\w-]+)" rel="next"', first.content.decode())
    with CaptureQueriesContext(connection) as large:
        page2 = client_a.get(f"/kelola/permohonan/?after={nxt.group(1)}")
    assert page2.status_code == 200
    assert len(large) == len(small)
    assert "72 permohonan" in page2.content.decode()
    only_risk = client_a.get("/kelola/permohonan/?sla_state=at_risk").content.decode()
    assert at_risk.tracking_code in only_risk and breached.tracking_code not in only_risk
    by_service = client_a.get("/kelola/permohonan/?service=SIP-DOKTER").content.decode()
    assert "Tidak ada permohonan" in by_service


def test_worklist_api_constant_queries_and_admin_sees_all(
    client_a, citizen, staff, kk_offering, sip_offering, tenant_a, in_tenant,
    django_assert_max_num_queries,
):
    admin = staff(StaffRole.Role.TENANT_ADMIN)
    with in_tenant(tenant_a):
        _bulk(kk_offering, citizen.pk, 3)
        _bulk(sip_offering, citizen.pk, 3)
    client_a.force_login(admin)
    client_a.get("/api/v1/applications/worklist/")
    with CaptureQueriesContext(connection) as few:
        listed = client_a.get("/api/v1/applications/worklist/").json()
    assert listed["count"] == 6
    with in_tenant(tenant_a):
        _bulk(kk_offering, citizen.pk, 20)
    with CaptureQueriesContext(connection) as many:
        client_a.get("/api/v1/applications/worklist/?page_size=50")
    assert len(many) == len(few)


def test_citizen_dashboard_and_api_list_own_only(client_a, client_b, citizen, other_citizen,
                                                 submit_kk):
    app = submit_kk()
    client_a.force_login(citizen)
    page = client_a.get("/permohonan/").content.decode()
    assert app.tracking_code in page
    assert f'href="/permohonan/{app.pk}/"' in page
    mine = client_a.get("/api/v1/applications/").json()
    assert [a["tracking_code"] for a in mine["results"]] == [app.tracking_code]
    detail = client_a.get(f"/api/v1/applications/{app.tracking_code}/").json()
    assert detail["timeline"][0]["to_status"] == "submitted"
    # another citizen sees nothing; the same citizen on tenant B sees nothing
    client_a.force_login(other_citizen)
    assert client_a.get("/api/v1/applications/").json()["count"] == 0
    assert client_a.get(f"/api/v1/applications/{app.pk}/").status_code == 404
    client_b.force_login(citizen)
    assert client_b.get("/api/v1/applications/").json()["count"] == 0
    assert client_b.get(f"/permohonan/{app.pk}/").status_code == 404


def test_api_draft_submit_with_idempotency_key(client_a, citizen, kk_offering, vault_docs,
                                               tenant_a, in_tenant):
    client_a.force_login(citizen)
    created = client_a.post("/api/v1/applications/", {
        "service_code": "KK-UBAH", "form_data": kk_form_data(), "documents": vault_docs,
    }, content_type="application/json")
    assert created.status_code == 201
    ref = created.json()["id"]
    missing = client_a.post(f"/api/v1/applications/{ref}/submit/", {},
                            content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency_key_required"
    first = client_a.post(f"/api/v1/applications/{ref}/submit/", {"share_consent": True},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = client_a.post(f"/api/v1/applications/{ref}/submit/", {"share_consent": True},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert first.json()["tracking_code"] == replay.json()["tracking_code"]
    with in_tenant(tenant_a):
        assert ApplicationEvent.objects.filter(kind="transition").count() == 1
    cancelled = client_a.post(f"/api/v1/applications/{ref}/cancel/", {},
                              content_type="application/json")
    assert cancelled.json()["status"] == "cancelled"


def test_api_transition_statuses(client_a, client_b, submit_kk, staff, staff_user, kk_offering,
                                 sip_offering, tenant_a, tenant_b, in_tenant):
    app = submit_kk()
    url = f"/api/v1/applications/{app.tracking_code}/transitions/"
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    front_desk = staff(StaffRole.Role.FRONT_DESK, kk_offering)
    other_opd = staff(StaffRole.Role.OFFICER, sip_offering)
    admin_b = staff_user(tenant_b)
    body = {"action": "start_verification"}
    client_a.force_login(front_desk)
    assert client_a.post(url, body, content_type="application/json").status_code == 403
    client_a.force_login(other_opd)
    assert client_a.post(url, body, content_type="application/json").status_code == 404
    client_b.force_login(admin_b)
    assert client_b.post(url, body, content_type="application/json").status_code == 404
    with in_tenant(tenant_a):
        app.refresh_from_db()
        assert app.status == "submitted"
    client_a.force_login(officer)
    ok = client_a.post(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "in_verification"
    again = client_a.post(url, body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_staff_pages_other_opd_is_404(client_a, submit_kk, staff, sip_offering, kk_offering):
    app = submit_kk()
    client_a.force_login(staff(StaffRole.Role.OFFICER, sip_offering))
    assert client_a.get(f"/kelola/permohonan/{app.pk}/").status_code == 404
    client_a.force_login(staff(StaffRole.Role.OFFICER, kk_offering))
    page = client_a.get(f"/kelola/permohonan/{app.pk}/")
    assert page.status_code == 200 and "Mulai verifikasi" in page.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/applications/worklist/"])
def test_applications_api_is_404_on_the_platform_host(platform_client, user_factory, path):
    platform_client.force_login(user_factory())
    assert platform_client.get(path).status_code == 404


def test_worklist_keyset_pages_walk_every_row_once_both_ways(
    client_a, citizen, staff, kk_offering, tenant_a, in_tenant
):
    """Keyset pages (issue 14): following "Berikutnya" from the first page lists every open
    application exactly once, in the worklist order, including rows without a deadline and
    rows with equal deadlines; "Sebelumnya" gives the same pages back; a forged cursor shows
    the first page."""
    from applications import selectors
    from applications.permissions import staff_scope

    admin = staff(StaffRole.Role.TENANT_ADMIN)
    with in_tenant(tenant_a):
        _bulk(kk_offering, citizen.pk, 9)
        _bulk(kk_offering, citizen.pk, 6, sla_state="breached")
        paused = _bulk(kk_offering, citizen.pk, 7, sla_state="paused")
        Application.objects.filter(pk__in=[a.pk for a in paused]).update(due_at=None)
        same = timezone.now() + timedelta(days=3)
        Application.objects.filter(sla_state="breached").update(due_at=same)  # equal keys
        scope = staff_scope(admin)
        qs = selectors.worklist(scope=scope, user=admin).only(*selectors.WORKLIST_ROW_FIELDS)
        expected = [a.pk for a in qs]
        pages, page = [], selectors.worklist_page(qs, size=5)
        while True:
            pages.append([a.pk for a in page.object_list])
            if not page.next_cursor:
                break
            page = selectors.worklist_page(qs, after=page.next_cursor, size=5)
        assert [pk for chunk in pages for pk in chunk] == expected and len(expected) == 22
        assert page.count == 22 and not page.count_capped
        back = []
        while page.prev_cursor:
            page = selectors.worklist_page(qs, before=page.prev_cursor, size=5)
            back.insert(0, [a.pk for a in page.object_list])
        assert back == pages[:-1]
        forged = selectors.worklist_page(qs, after="bm90LWEtY3Vyc29y", size=5)
        assert [a.pk for a in forged.object_list] == pages[0]
    client_a.force_login(admin)
    html = client_a.get("/kelola/permohonan/?after=%%%").content.decode()
    assert "22 permohonan" in html and 'rel="prev"' not in html  # the first (only) page
