"""`make run` demo data: complete, idempotent, and ready to use."""

import datetime as dt

from django_tenants.utils import schema_context, tenant_context

from accounts.models import CitizenProfile, User
from applications.models import Application
from core.demo import seed_demo
from hall.models import Counter
from monitoring.models import TenantDailyRollup
from onboarding.selectors import wizard_steps
from regions.models import District, Village
from regions.selectors import regions_ready


def _assert_usable(tenant_a, logins):
    """The demo can be used at once; returns what a second run must leave unchanged."""
    with tenant_context(tenant_a):
        applications = Application.objects.count()
        # the forms' kecamatan/desa lists are filled from the national reference (issue 17)
        assert regions_ready() and District.objects.count() == 30
        assert Village.objects.filter(district__code="32.73.01").exists()
        assert [s.key for s in wizard_steps(tenant=tenant_a) if s.key == "regions" and s.done]
        districts = District.objects.count()
        assert Counter.objects.filter(is_active=True).exclude(services=[]).exists()  # /antrean/
    with schema_context("public"):
        users = User.objects.count()
        rollups = TenantDailyRollup.objects.count()
    assert {login.login for login in logins} >= {"kementerian@menpan.go.id", "warga@example.id"}
    with schema_context("public"):
        # the demo citizen's profile is complete, so forms are prefilled (issue 17)
        profile = CitizenProfile.objects.get(user__email="warga@example.id")
        assert (profile.nik, profile.birth_date, profile.sex, profile.village_code) == (
            "3273014101900001", dt.date(1990, 1, 1), "P", "32.73.01.1004"
        )
        assert profile.birth_place and profile.address and profile.district_code == "32.73.01"
        # every demo account can act at once
        assert not User.objects.filter(
            email__in=[login.login for login in logins], email_verified_at__isnull=True
        ).exists()
    return applications, districts, users, rollups


def _assert_same(tenant_a, before):
    applications, districts, users, rollups = before
    with tenant_context(tenant_a):
        assert Application.objects.count() == applications > 0
        assert District.objects.count() == districts
    with schema_context("public"):
        assert User.objects.count() == users
        assert TenantDailyRollup.objects.count() == rollups


def test_seed_demo_is_usable_alive_and_idempotent(tenant_a):
    """One seed (it is the slowest fixture of the suite), then: usable at once (logins,
    regions, counters, a complete citizen profile); eight live tenants in WIB, WITA and WIT
    with three months of activity (issue 16): every status, step rows consistent with each
    version's workflow, late files, SKM answers, complaints and queue tickets; two tenants
    stopped at different onboarding steps; and a second run adds nothing."""
    from django.db.models import Count

    from applications.models import ApplicationEvent, ApplicationStep
    from catalog.models import ServiceVersion
    from catalog.workflow import workflow_of
    from feedback.models import Complaint, SkmResponse
    from hall.models import Ticket
    from monitoring.selectors import attach_trends, tenant_rows
    from onboarding.selectors import first_open_step
    from tenants.models import Tenant

    before = _assert_usable(tenant_a, seed_demo())
    with schema_context("public"):
        tenants = list(Tenant.objects.exclude(schema_name="public"))
        versions = {v.pk: workflow_of(v) for v in ServiceVersion.objects.all()}
    live = [t for t in tenants if t.state == Tenant.State.LIVE]
    assert len(live) >= 8
    assert {t.timezone for t in live} == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    onboarding = [t for t in tenants if t.state == Tenant.State.ONBOARDING]
    assert len({first_open_step(wizard_steps(tenant=t)) for t in onboarding}) >= 2
    statuses: set[str] = set()
    for tenant in live:
        with tenant_context(tenant):
            apps = list(Application.objects.all())
            steps: dict[int, list[ApplicationStep]] = {}
            for step in ApplicationStep.objects.order_by("started_at", "id"):
                steps.setdefault(step.application_id, []).append(step)
            statuses |= {a.status for a in apps}
            assert len(apps) > 50, tenant
            assert {"met", "missed"} <= {a.sla_state for a in apps}, tenant
            assert SkmResponse.objects.filter(submitted_at__isnull=False).exists()
            assert Ticket.objects.filter(status="done").exists()
            if tenant.region_code != "32.73":
                assert Complaint.objects.exists() or not any(
                    a.sla_state == "missed" for a in apps)
            for app in apps:
                rows = steps.get(app.pk, [])
                if app.status == "draft":
                    assert not rows and not app.current_step and not app.tracking_code
                    continue
                workflow = versions[app.service_version_id]
                order = [s.code for s in workflow.steps]
                assert rows and rows[-1].step_code == app.current_step, app
                assert [order.index(r.step_code) for r in rows] == sorted(
                    order.index(r.step_code) for r in rows), app
                open_rows = [r for r in rows if r.finished_at is None]
                assert len(open_rows) <= 1
                if app.status in {"submitted", "in_verification", "returned", "resubmitted",
                                  "in_process", "approved"}:
                    assert open_rows and open_rows[0].agency_id == app.agency_id, app
                else:
                    assert not open_rows, app
                assert {r.agency_id for r in rows} <= set(app.involved_agencies), app
                if app.status == "returned":
                    assert open_rows[0].paused_at is not None
                if app.status in {"approved", "completed"}:
                    assert app.sla_state in {"met", "missed"} and app.decided_at
            assert not ApplicationStep.objects.values("application").annotate(
                n=Count("id")).filter(n=0).exists()
            # every sent application has its timeline, as the state machine writes it: first
            # the submission, at the submission time; each hand-off names the OPD and its due
            events = {}
            for event in ApplicationEvent.objects.order_by("created_at", "id"):
                events.setdefault(event.application_id, []).append(event)
            for app in apps:
                timeline = events.get(app.pk, [])
                if app.status == "draft":
                    assert not timeline
                    continue
                assert timeline[0].data["action"] == "submit", app
                # (simulated: the submission time itself; through the state machine: the
                # same transaction, a few milliseconds later)
                assert abs(timeline[0].created_at - app.submitted_at) < dt.timedelta(seconds=5)
                assert timeline[-1].to_status == app.status, app
                arrivals = [e for e in timeline if e.data.get("step_name")]
                assert len(arrivals) == len(steps[app.pk]), app
                assert all(e.data.get("agency_name") for e in arrivals), app
    assert statuses >= {"draft", "submitted", "in_verification", "returned", "resubmitted",
                        "in_process", "approved", "rejected", "completed", "cancelled"}
    rows = [r for r in tenant_rows() if r.state == "live"]
    attach_trends(rows)
    assert len(rows) >= 8
    assert len({r.met_month * 1000 // max(1, r.met_month + r.missed_month) for r in rows}) > 3
    assert all(sum(1 for v in r.trend if v is not None) >= 6 for r in rows), [
        (r.name, r.trend) for r in rows]
    with tenant_context(live[-1]):
        counts = (Application.objects.count(), Ticket.objects.count(),
                  SkmResponse.objects.count(), Complaint.objects.count(),
                  ApplicationEvent.objects.count())
    seed_demo()  # a second run adds nothing
    _assert_same(tenant_a, before)
    with tenant_context(live[-1]):
        assert counts == (Application.objects.count(), Ticket.objects.count(),
                          SkmResponse.objects.count(), Complaint.objects.count(),
                          ApplicationEvent.objects.count())
