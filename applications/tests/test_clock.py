"""SLA clock: starts on acceptance, pauses while returned, resumes with due_at moved by the
paused working time (sla.selectors.due_for), stops on decision; recomputed on rule change."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from agencies.models import StaffRole
from applications.models import ApplicationEvent
from applications.statemachine import application_transition
from sla.selectors import due_for

WIB = ZoneInfo("Asia/Jakarta")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 2, day, hour, 0, tzinfo=WIB)


def test_pause_and_resume_move_the_deadline_by_the_paused_working_time(
    submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    with in_tenant(tenant_a):
        application_transition(application_id=app.pk, action="start_verification",
                               actor=officer, now=_at(2, 8))
        # clock starts Monday 2 Feb 2026 09:00 WIB
        started = application_transition(application_id=app.pk, action="accept", actor=officer,
                                          now=_at(2, 9))
        plain = due_for(offering=kk_offering, start=_at(2, 9)).due
        assert started.due_at == plain
        assert started.at_risk_at is not None and started.sla_state == "on_track"
        # returned Monday 10:00, resubmitted Tuesday 10:00: one whole working day paused
        paused = application_transition(application_id=app.pk, action="return", actor=officer,
                                         note="Perbaiki.", now=_at(2, 10))
        assert paused.sla_state == "paused" and paused.due_at is None
        assert paused.paused_at == _at(2, 10)
        resumed = application_transition(application_id=app.pk, action="resubmit",
                                         actor=citizen, now=_at(3, 10))
        expected = due_for(offering=kk_offering, start=_at(2, 9),
                           pauses=[(_at(2, 10), _at(3, 10))]).due
        assert resumed.due_at == expected
        assert (resumed.due_at - plain).days == 1
        assert resumed.paused_at is None
        assert any("perbaikan" in reason for reason in resumed.sla_reasons)


def test_decision_stops_the_clock_as_met_or_missed(
    submit_kk, staff, kk_offering, tenant_a, in_tenant
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    on_time, late = submit_kk(), submit_kk()
    with in_tenant(tenant_a):
        for app, decided in ((on_time, _at(2, 11)), (late, _at(9, 11))):
            application_transition(application_id=app.pk, action="start_verification",
                                   actor=officer, now=_at(2, 8))
            application_transition(application_id=app.pk, action="accept", actor=officer,
                                   now=_at(2, 9))
            application_transition(application_id=app.pk, action="approve", actor=officer,
                                   now=decided)
        on_time.refresh_from_db()
        late.refresh_from_db()
        assert on_time.sla_state == "met"
        assert late.sla_state == "missed"


def test_rule_change_hook_recomputes_open_deadlines_with_a_reason(
    submit_kk, staff, kk_offering, tenant_a, in_tenant
):
    from applications.sla_hooks import on_sla_rules_changed
    from sla.services import sla_policy_update

    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    with in_tenant(tenant_a):
        application_transition(application_id=app.pk, action="start_verification",
                               actor=officer)
        application_transition(application_id=app.pk, action="accept", actor=officer)
        app.refresh_from_db()
        before = app.due_at
        # when the SLA target changes from 1 to 3 working days
        sla_policy_update(offering=kk_offering, actor=None, target_value=3)
        on_sla_rules_changed(reason="Target SLA diubah menjadi 3 hari kerja",
                             offering_id=kk_offering.pk)
        # then
        app.refresh_from_db()
        assert app.due_at > before
        event = ApplicationEvent.objects.get(application=app, kind="sla_recomputed")
        assert event.note == "Target SLA diubah menjadi 3 hari kerja"
