"""The SLA sweep (applications.sweep / monitoring.tasks): transitions with holidays and pauses, one event and
one notification per recipient, escalation, deemed approval, index scans, and a broken
tenant that does not stop the others. The real-worker crash test is test_sweep_worker.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 2, 2, 10, 0, tzinfo=WIB)  # a Monday with no national holiday nearby
HOLIDAY = date(2026, 2, 4)
PAUSE = (datetime(2026, 2, 5, 8, 0, tzinfo=WIB), datetime(2026, 2, 6, 8, 0, tzinfo=WIB),
         "menunggu perbaikan dari pemohon")


@pytest.fixture
def people(tenant_a, staff_user, user_factory, agency_a):
    from agencies.models import StaffRole

    return {
        "officer": staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=agency_a),
        "heads": [staff_user(tenant_a, role=StaffRole.Role.AGENCY_HEAD, agency=agency_a)
                  for _ in range(2)],
        "admin": staff_user(tenant_a, role=StaffRole.Role.TENANT_ADMIN),
        "citizen": user_factory(),
    }


def _deadline(offering, *, holiday=True, pause=True):
    from sla.selectors import due_for
    from sla.services import calendar_holiday_add

    if holiday:
        calendar_holiday_add(actor=None, day=HOLIDAY, name="Hari Jadi Kota Uji")
    return due_for(offering=offering, start=START, pauses=[PAUSE] if pause else [])


def _application(offering, info, people, *, code):
    from applications.models import Application

    return Application.objects.create(
        tracking_code=code, offering=offering, service_code=offering.service_code,
        service_version_id=offering.service_version_id, agency=offering.agency,
        applicant_id=people["citizen"].pk, status="in_process", submitted_at=START,
        clock_started_at=START, due_at=info.due, at_risk_at=info.at_risk, sla_state="on_track",
        sla_reasons=info.reasons, calendar_version=info.calendar_version_id,
        sla_pauses=[{"start": PAUSE[0].isoformat(), "end": PAUSE[1].isoformat(),
                     "reason": PAUSE[2]}],
        assigned_to_id=people["officer"].pk,
    )


def _events(kind):
    from applications.models import ApplicationEvent

    return list(ApplicationEvent.objects.filter(kind=kind))


def _notified(kind):
    from applications.models import Notification

    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_transitions_follow_holidays_and_pauses(tenant_a, in_tenant, permit_offering_a, people):
    from applications.sweep import sweep_tenant

    with in_tenant(tenant_a):
        # given an application whose deadline moved for a local holiday and a pause
        info = _deadline(permit_offering_a)
        plain = _deadline(permit_offering_a, holiday=False, pause=False)
        assert info.due > plain.due
        assert any("Hari Jadi Kota Uji" in r for r in info.reasons)
        assert any("menunggu perbaikan" in r for r in info.reasons)
        app = _application(permit_offering_a, info, people, code="BDG-T-1")

        # when the sweep runs at the un-moved deadline: only at risk, not breached
        counts = sweep_tenant(now=plain.due + timedelta(minutes=1))
        app.refresh_from_db()
        assert (counts.breached, app.sla_state) == (0, "at_risk")
        [at_risk] = _events("sla_at_risk")
        assert at_risk.data["reasons"] == info.reasons
        assert _notified("sla_at_risk") == [people["officer"].pk]

        # a second at-risk sweep changes nothing
        assert sweep_tenant(now=plain.due + timedelta(minutes=2)).at_risk == 0

        # just before the moved deadline: still not breached
        assert sweep_tenant(now=info.due - timedelta(seconds=1)).breached == 0

        # after it: breached once, with the deadline's reasons, heads notified once each
        counts = sweep_tenant(now=info.due + timedelta(seconds=1))
        app.refresh_from_db()
        assert (counts.breached, app.sla_state) == (1, "breached")
        [breach] = _events("sla_breached")
        assert breach.data["reasons"] == info.reasons
        assert breach.data["due_at"] == info.due.isoformat()
        assert breach.data["calendar_version"] == info.calendar_version_id
        assert _notified("sla_breached") == sorted(h.pk for h in people["heads"])
        sweep_tenant(now=info.due + timedelta(minutes=5))
        assert len(_events("sla_breached")) == 1
        assert len(_notified("sla_breached")) == 2


def test_breach_without_at_risk_when_both_thresholds_passed(
    tenant_a, in_tenant, permit_offering_a, people
):
    from applications.sweep import sweep_tenant

    with in_tenant(tenant_a):
        info = _deadline(permit_offering_a, holiday=False)
        _application(permit_offering_a, info, people, code="BDG-T-2")
        counts = sweep_tenant(now=info.due + timedelta(hours=1))
        assert (counts.at_risk, counts.breached) == (0, 1)
        assert _events("sla_at_risk") == []


def test_escalation_after_n_working_days(tenant_a, in_tenant, permit_offering_a, people, settings):
    from applications.sweep import ESCALATE_KIND, sweep_tenant

    settings.MPP_SLA_ESCALATE_AFTER_WORKING_DAYS = 2
    with in_tenant(tenant_a):
        info = _deadline(permit_offering_a, holiday=False)
        _application(permit_offering_a, info, people, code="BDG-T-3")
        sweep_tenant(now=info.due + timedelta(seconds=1))
        # one working day later: not yet
        assert sweep_tenant(now=info.due + timedelta(days=1)).escalated == 0
        # the due date is Friday close of business (check) -> 2 working days = Tuesday close
        due_local = info.due.astimezone(WIB)
        escalate_at = _working_days_after(due_local, 2)
        assert sweep_tenant(now=escalate_at - timedelta(minutes=1)).escalated == 0
        counts = sweep_tenant(now=escalate_at + timedelta(minutes=1))
        assert counts.escalated == 1
        assert _notified(ESCALATE_KIND) == [people["admin"].pk]
        assert sweep_tenant(now=escalate_at + timedelta(days=3)).escalated == 0
        assert len(_events(ESCALATE_KIND)) == 1


def _working_days_after(due_local, days):
    from sla.engine import Target, compute_due
    from sla.selectors import calendar_current, engine_calendar

    return compute_due(due_local, Target.working_days(days),
                       engine_calendar(calendar_current())).due


def test_deemed_approval_records_evidence(
    tenant_a, in_tenant, permit_offering_a, people, monkeypatch
):
    from applications import sweep
    from applications.models import Application

    monkeypatch.setattr(sweep, "_deemed_offering_ids", lambda: {permit_offering_a.pk})
    with in_tenant(tenant_a):
        info = _deadline(permit_offering_a)
        app = _application(permit_offering_a, info, people, code="BDG-T-4")
        counts = sweep.sweep_tenant(now=info.due + timedelta(seconds=1))
        app = Application.objects.get(pk=app.pk)
        assert counts.deemed_approved == 1
        assert app.status == "approved" and app.sla_state == "missed"
        [event] = _events("deemed_approved")
        assert event.data["legal_basis"].startswith("UU 30/2014")
        assert event.data["reasons"] == info.reasons
        assert event.data["deemed_effective_at"] == info.due.isoformat()
        assert event.data["calendar_version"] == info.calendar_version_id
        assert _notified("deemed_approved") == [people["citizen"].pk]
        # re-running is a no-op
        assert sweep.sweep_tenant(now=info.due + timedelta(hours=1)).deemed_approved == 0


def test_deemed_approval_is_off_by_default(tenant_a, in_tenant, permit_offering_a, people):
    from applications.sweep import _deemed_offering_ids, sweep_tenant

    with in_tenant(tenant_a):
        assert _deemed_offering_ids() == set()
        info = _deadline(permit_offering_a, holiday=False)
        _application(permit_offering_a, info, people, code="BDG-T-5")
        assert sweep_tenant(now=info.due + timedelta(seconds=1)).deemed_approved == 0


@pytest.mark.parametrize("to_state", ["breached", "at_risk"])
def test_transition_query_uses_the_partial_index(tenant_a, in_tenant, to_state):
    from django.utils import timezone

    from applications import sweep

    with in_tenant(tenant_a), CaptureQueriesContext(connection) as ctx:
        sweep._transition_batch(to_state=to_state, now=timezone.now(), limit=10)
    statement = next(q["sql"] for q in ctx.captured_queries if "WITH picked" in q["sql"])
    with in_tenant(tenant_a), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # an index scan on the stored instant (the partial sweep index, or the plain index on the
    # same column: the planner picks either on small tables), never a scan of every row
    column = "due_at" if to_state == "breached" else "at_risk_at"
    partial = "app_sweep_due_idx" if to_state == "breached" else "app_sweep_atrisk_idx"
    assert partial in plan or f"applications_application_{column}_" in plan, plan
    assert "Seq Scan on applications_application" not in plan, plan


def test_broken_tenant_is_reported_and_does_not_stop_the_others(
    tenant_a, tenant_b, in_tenant, permit_offering_a, people, monkeypatch
):
    from django_tenants.utils import schema_context

    from monitoring.models import SweepRun, TenantDailyRollup, TenantSweepResult
    from monitoring.tasks import sla_sweep_dispatch
    from tenants.models import Tenant

    # given a ready, live tenant row whose schema does not exist, and a breach in tenant A
    with schema_context("public"):
        broken = Tenant.objects.create(
            schema_name="broken_sweep_test", slug="broken-sweep-test", name="Kab Rusak Uji",
            region_code="99.98", kind="kabupaten", province_code="99", state="live",
            is_ready=True,
        )
    with in_tenant(tenant_a):
        info = _deadline(permit_offering_a, holiday=False)
        _application(permit_offering_a, info, people, code="BDG-T-6")
        from applications.models import Application

        Application.objects.filter(tracking_code="BDG-T-6").update(
            due_at=info.due.replace(year=2025), at_risk_at=info.at_risk.replace(year=2025)
        )
    # when the dispatcher fans out, broken tenant first (eager here, so no retry delays:
    # the first failure is final; the real worker is in test_sweep_worker.py)
    from monitoring import tasks
    from tenants import selectors as tenant_selectors

    targets = tenant_selectors.portal_open_tenants()
    monkeypatch.setattr(tenant_selectors, "portal_open_tenants", lambda: sorted(
        targets, key=lambda t: t.pk != broken.pk))
    monkeypatch.setattr(tasks.sla_sweep_tenant, "max_retries", 0)
    dispatched = sla_sweep_dispatch(jitter_seconds=0)
    connection.set_schema_to_public()
    # then the broken tenant failed and said why, and the others were swept
    run = SweepRun.objects.latest("started_at")
    assert dispatched == run.tenants_dispatched >= 3
    results = {r.tenant_id: r for r in TenantSweepResult.objects.filter(run=run)}
    assert results[broken.pk].status == "failed"
    assert "broken_sweep_test" in results[broken.pk].error or "does not exist" in \
        results[broken.pk].error
    assert results[tenant_a.pk].status == "ok" and results[tenant_a.pk].breached == 1
    assert results[tenant_b.pk].status == "ok"
    assert run.finished_at is not None
    # and tenant A's rollup was upserted after its sweep
    row = TenantDailyRollup.objects.get(tenant=tenant_a, metric_group="applications",
                                        day=TenantDailyRollup.objects.filter(
                                            tenant=tenant_a).latest("day").day)
    assert row.breached == 1 and row.open == 1


def test_a_breach_opens_a_complaint_when_the_tenant_enabled_it(
    tenant_a, in_tenant, permit_offering_a, people
):
    from applications.sweep import sweep_tenant
    from feedback.models import Complaint
    from feedback.services import feedback_settings

    with in_tenant(tenant_a):
        settings_row = feedback_settings()
        settings_row.auto_complaint_on_breach = True
        settings_row.save()
        info = _deadline(permit_offering_a, holiday=False, pause=False)
        app = _application(permit_offering_a, info, people, code="BDG-T-AC")
        # when the sweep runs twice after the deadline
        sweep_tenant(now=info.due + timedelta(seconds=1))
        sweep_tenant(now=info.due + timedelta(seconds=2))
        # then exactly one automatic complaint exists for the breached application
        complaints = Complaint.objects.filter(application_id=app.pk, origin="sla_breach")
        assert complaints.count() == 1


def test_the_sweep_never_deems_an_adminduk_application_approved(
    tenant_a, in_tenant, offering_a, permit_offering_a
):
    from applications.sweep import _deemed_offering_ids
    from sla.models import SlaPolicy

    with in_tenant(tenant_a):
        # even a policy row switched on behind the service's back
        SlaPolicy.objects.filter(offering__in=[offering_a, permit_offering_a]).update(
            deemed_approval=True)
        assert _deemed_offering_ids() == {permit_offering_a.pk}


def test_deemed_approval_goes_through_the_service_layer_and_sends_its_webhook(
    tenant_a, in_tenant, permit_offering_a, people, monkeypatch, settings
):
    from applications import sweep
    from integrations.models import WebhookDelivery
    from integrations.services import webhook_endpoint_create

    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    monkeypatch.setattr(sweep, "_deemed_offering_ids", lambda: {permit_offering_a.pk})
    with in_tenant(tenant_a):
        webhook_endpoint_create(name="SiCantik", url="http://127.0.0.1:9/hook",
                                events=["application.status_changed"])
        info = _deadline(permit_offering_a)
        app = _application(permit_offering_a, info, people, code="BDG-T-9")
        sweep.sweep_tenant(now=info.due + timedelta(seconds=1))
        [delivery] = WebhookDelivery.objects.filter(event_type="application.status_changed")
        data = delivery.payload["data"]
        assert data["tracking_code"] == app.tracking_code
        assert (data["to_status"], data["action"]) == ("approved", "deemed_approval")


def test_only_the_applications_app_writes_application_status():
    """No raw SQL outside `applications` sets an application's status (issue 13: one owner of
    application state; the deemed approval used to be such an UPDATE in this module)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    raw_update = re.compile(
        r"UPDATE\s+[^\n]*(applications_application|_table\(\))[^\n]*SET\s+status", re.I
    )
    offenders = [
        str(path.relative_to(root)) for path in root.glob("*/**/*.py")
        if path.parts[len(root.parts)] not in {"applications", ".venv"}
        and "tests" not in path.parts
        and raw_update.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
