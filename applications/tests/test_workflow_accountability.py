"""Accountability across OPDs (issue 13, item 5): a late Dinkes step is attributed to Dinkes —
by the SLA sweep (the step row, its event, the notice to Dinkes' head, the `sla.breached`
webhook with the step), in the tenant's report per OPD and step, and in the ministry's rollup
and page per OPD kind — while the licensing office, whose own steps were on time, is not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from agencies.models import StaffRole
from applications.models import ApplicationEvent, ApplicationStep, EventKind, Notification

from .test_workflow import TUESDAY, _draft_sip, _go, _record, two_opds  # noqa: F401

# The technical step (2 working days) opened on Tuesday 8 December is due by Thursday's close;
# the next Monday it is late.
MONDAY_AFTER = TUESDAY + dt.timedelta(days=6)


@pytest.fixture
def late_at_dinkes(two_opds, sip_offering, citizen, tenant_a, in_tenant, staff_user):  # noqa: F811
    """A SIP whose front-office step was done at once and whose Dinkes step is now late; the
    heads of both OPDs exist (only Dinkes' head must hear of the step breach)."""
    dpmptsp, dinkes, front, health = two_opds
    dinkes_head = staff_user(tenant_a, role=StaffRole.Role.AGENCY_HEAD, agency=dinkes)
    dpmptsp_head = staff_user(tenant_a, role=StaffRole.Role.AGENCY_HEAD, agency=dpmptsp)
    with time_machine.travel(TUESDAY, tick=False), in_tenant(tenant_a):
        from integrations.services import webhook_endpoint_create

        endpoint, _secret = webhook_endpoint_create(
            name="Dashboard Dinkes", url="https://dinkes.example.id/hook",
            events=["sla.breached"],
        )
        app = _draft_sip(sip_offering, citizen)
        _go(app, "submit", citizen)
        _go(app, "start_verification", front)
        app = _go(app, "accept", front)
    return app, dpmptsp, dinkes, front, health, dinkes_head, dpmptsp_head, endpoint


def test_the_sweep_attributes_a_late_step_to_the_opd_holding_it(late_at_dinkes, tenant_a,
                                                                  in_tenant):
    from applications.sweep import sweep_tenant
    from integrations.models import WebhookDelivery

    app, _dpmptsp, dinkes, _front, _health, dinkes_head, dpmptsp_head, endpoint = late_at_dinkes
    with in_tenant(tenant_a):
        # before the step's deadline: nothing
        assert sweep_tenant(now=TUESDAY + dt.timedelta(hours=3)).steps_breached == 0
        counts = sweep_tenant(now=MONDAY_AFTER)
        assert counts.steps_breached == 1
        step = ApplicationStep.objects.get(application=app, finished_at__isnull=True)
        assert (step.step_code, step.agency_id, step.sla_state) == (
            "verifikasi_teknis", dinkes.pk, "breached")
        assert step.agency_kind == "dinkes"
        done = ApplicationStep.objects.get(application=app, step_code="verifikasi_administrasi")
        assert done.sla_state == "met"  # the front office was on time

        event = ApplicationEvent.objects.get(application=app, kind=EventKind.STEP_BREACHED)
        assert event.data["agency_id"] == dinkes.pk and event.data["step"] == "verifikasi_teknis"
        told = set(Notification.objects.filter(kind="step_breached").values_list(
            "recipient_id", flat=True))
        assert dinkes_head.pk in told and dpmptsp_head.pk not in told
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        data = delivery.payload["data"]
        assert (data["scope"], data["step"], data["step_agency_kind"]) == (
            "step", "verifikasi_teknis", "dinkes")
        assert data["tracking_code"] == app.tracking_code

        # a second sweep changes nothing and sends nothing twice
        again = sweep_tenant(now=MONDAY_AFTER + dt.timedelta(hours=1))
        assert again.steps_breached == 0
        assert ApplicationEvent.objects.filter(kind=EventKind.STEP_BREACHED).count() == 1
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_the_tenant_report_and_the_ministry_attribute_the_late_step_to_dinkes(
    late_at_dinkes, tenant_a, in_tenant, user_factory
):
    from django.conf import settings
    from django.test import Client

    from feedback.selectors import Period
    from monitoring.selectors import step_accountability
    from monitoring.services import rollup_tenant
    from reports.selectors import step_performance

    app, dpmptsp, dinkes, _front, health, *_rest = late_at_dinkes
    with in_tenant(tenant_a):
        with time_machine.travel(MONDAY_AFTER, tick=False):
            _go(app, "forward", health, record=_record())  # late: the step is missed
        period = Period(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
        rows = {(r["agency_id"], r["step_code"]): r
                for r in step_performance(period=period, tz="Asia/Jakarta")}
        late = rows[(dinkes.pk, "verifikasi_teknis")]
        assert (late["finished"], late["met"], late["missed"], late["breaches"]) == (1, 0, 1, 1)
        assert late["median_hours"] == late["p90_hours"] == 144.0
        front = rows[(dpmptsp.pk, "verifikasi_administrasi")]
        assert (front["met"], front["missed"], front["breaches"]) == (1, 0, 0)
        # an OPD head sees only the steps their OPD held
        own = step_performance(period=period, tz="Asia/Jakarta", agency_ids=[dpmptsp.pk])
        assert {r["agency_id"] for r in own} == {dpmptsp.pk}

        rollup_tenant(tenant_id=tenant_a.pk, tz_name="Asia/Jakarta",
                      days=[dt.date(2026, 12, 8), dt.date(2026, 12, 14)],
                      now=MONDAY_AFTER + dt.timedelta(hours=1))
    national = {k.kind: k for k in step_accountability(today=dt.date(2026, 12, 14)).by_kind}
    assert (national["dinkes"].finished, national["dinkes"].missed) == (1, 1)
    assert (national["dpmptsp"].met, national["dpmptsp"].missed) == (1, 0)
    with time_machine.travel(MONDAY_AFTER + dt.timedelta(hours=1), tick=False):
        ministry = Client(HTTP_HOST=settings.MPP_BASE_DOMAIN)
        ministry.force_login(user_factory(ministry_role="viewer", email="pemantau-l@menpan.go.id"))
        page = ministry.get("/kementerian/langkah/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dinas Kesehatan" in html and tenant_a.name in html


def _route_item(html: str, name: str) -> str:
    items = [part.split("</li>")[0] for part in html.split('<li class="route-step')[1:]]
    found = [item for item in items if name in item]
    assert found, html[html.find("route"):][:3000]
    return found[0]


def test_the_citizen_sees_each_hand_off_with_the_opd_and_the_tightened_step_sla(
    two_opds, sip_offering, citizen, tenant_a, in_tenant, client_a  # noqa: F811
):
    from sla.services import sla_policy_set_step_targets

    dpmptsp, _dinkes, front, _health = two_opds
    with time_machine.travel(TUESDAY, tick=False), in_tenant(tenant_a):
        client_a.force_login(citizen)  # (inside the frozen clock: the session's age is real)
        # the tenant tightens the technical step (catalogue: 2 working days, the maximum)
        sla_policy_set_step_targets(offering=sip_offering, actor=None, targets={
            "verifikasi_teknis": {"value": 1, "unit": "working_days"}})
        app = _draft_sip(sip_offering, citizen)
        _go(app, "submit", citizen)
        html = client_a.get(f"/permohonan/{app.pk}/").content.decode()
        ahead = _route_item(html, "Verifikasi teknis")
        assert "upcoming" in ahead and "1 hari kerja" in ahead and "2 hari" not in ahead
        _go(app, "start_verification", front)
        _go(app, "accept", front)
        html = client_a.get(f"/permohonan/{app.pk}/").content.decode()
    handoffs = [line for line in html.splitlines() if 'data-testid="handoff"' in line]
    assert len(handoffs) == 2, handoffs  # the intake at DPMPTSP, then the technical step
    assert str(dpmptsp.short_name or dpmptsp.name) in handoffs[0]
    assert "Dinkes" in handoffs[1] and "Verifikasi teknis" in handoffs[1]
    assert "batas langkah" in handoffs[1]


def test_a_handed_off_file_waits_unassigned_and_an_officer_of_the_new_opd_claims_it(
    two_opds, sip_offering, citizen, tenant_a, in_tenant  # noqa: F811
):
    from django.test import Client

    from applications.models import Application
    from applications.services import application_assign
    from tests.hosts import host_of

    _dpmptsp, _dinkes, front, health = two_opds
    with time_machine.travel(TUESDAY, tick=False):
        with in_tenant(tenant_a):
            app = _go(_draft_sip(sip_offering, citizen), "submit", citizen)
            application_assign(application_id=app.pk, actor=front, assignee_id=front.pk)
            _go(app, "start_verification", front)
            _go(app, "accept", front)
            app = Application.objects.get(pk=app.pk)
            assert app.assigned_to_id is None  # off the front officer's "for me" list
        health_client, front_client = Client(HTTP_HOST=host_of(tenant_a)), Client(
            HTTP_HOST=host_of(tenant_a))
        health_client.force_login(health)
        front_client.force_login(front)
        worklist = health_client.get("/kelola/permohonan/?assigned=none").content.decode()
        assert app.tracking_code in worklist  # waiting, unassigned, at Dinkes
        row = worklist[worklist.index(app.tracking_code):].split("</tr>")[0]
        assert 'data-testid="worklist-step"' in row and "Verifikasi teknis" in row
        page = health_client.get(f"/kelola/permohonan/{app.pk}/").content.decode()
        assert 'data-testid="claim"' in page
        # the front office can no longer take the task; Dinkes' officer claims it
        front_client.post(f"/kelola/permohonan/{app.pk}/tugaskan/", {"assignee": front.pk})
        with in_tenant(tenant_a):
            assert Application.objects.get(pk=app.pk).assigned_to_id is None  # refused
        health_client.post(f"/kelola/permohonan/{app.pk}/tugaskan/", {"assignee": health.pk})
        with in_tenant(tenant_a):
            assert Application.objects.get(pk=app.pk).assigned_to_id == health.pk
            step = ApplicationStep.objects.get(application=app, finished_at__isnull=True)
            assert (step.step_code, step.assignee_id) == ("verifikasi_teknis", health.pk)
            claim = ApplicationEvent.objects.filter(application=app, kind="assignment").last()
            assert claim.data["claimed"] is True and claim.data["step"] == "verifikasi_teknis"
