"""The status machine: every transition, illegal ones, wrong roles, other OPD / tenant."""

from __future__ import annotations

import pytest
from django.core import mail

from agencies.models import StaffRole
from applications.errors import (
    ApplicationNotFound,
    IllegalTransition,
    NoteRequired,
    OutputMissing,
    UnknownAction,
    WrongRole,
)
from applications.models import Application, ApplicationEvent, Notification
from applications.services import output_generate
from applications.statemachine import TRANSITIONS, allowed_actions, application_transition


def _go(app, action, actor, **kw):
    return application_transition(application_id=app.pk, action=action, actor=actor, **kw)


def test_the_whole_happy_path_writes_events_and_notifications(
    submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant, django_capture_on_commit_callbacks
):
    # given a submitted application and an officer of the owning OPD
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    with in_tenant(tenant_a):
        # when it goes through verification, a revision, processing and the decision
        _go(app, "start_verification", officer)
        _go(app, "return", officer, note="Foto KK buram, unggah ulang.")
        _go(app, "resubmit", citizen)
        _go(app, "start_verification", officer)
        _go(app, "accept", officer)
        _go(app, "approve", officer)
        output_generate(application_id=app.pk, actor=officer, base_url="http://kota-bandung.localhost")
        with django_capture_on_commit_callbacks(execute=True):
            done = _go(app, "complete", officer)
        # then
        assert done.status == "completed"
        steps = list(
            ApplicationEvent.objects.filter(application=app, kind="transition")
            .values_list("from_status", "to_status", "actor_id")
        )
        assert [s[1] for s in steps] == [
            "submitted", "in_verification", "returned", "resubmitted", "in_verification",
            "in_process", "approved", "completed",
        ]
        assert steps[2][2] == officer.pk and steps[3][2] == citizen.pk
        assert done.clock_started_at is not None and done.decided_at is not None
        assert done.sla_state in {"met", "missed"}
        notifications = Notification.objects.filter(application=app)
        # one per status change, plus the SKM invitation when the application is completed
        assert notifications.filter(channel="email").count() == 9
        assert notifications.filter(channel="sms").count() == 9
        assert notifications.filter(kind="skm_invitation").count() == 2
    assert any("selesai" in m.subject for m in mail.outbox)


def test_return_and_reject_require_a_message(submit_kk, staff, kk_offering, tenant_a, in_tenant):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    with in_tenant(tenant_a):
        _go(app, "start_verification", officer)
        with pytest.raises(NoteRequired):
            _go(app, "return", officer, note="  ")
        with pytest.raises(NoteRequired):
            _go(app, "reject", officer)
        rejected = _go(app, "reject", officer, note="Bukan penduduk Kota Bandung.")
        assert rejected.status == "rejected" and rejected.decision_note


@pytest.mark.parametrize(("action", "status"), [
    ("approve", "submitted"), ("accept", "submitted"), ("complete", "submitted"),
    ("resubmit", "submitted"), ("process", "submitted"), ("return", "submitted"),
])
def test_illegal_transitions_are_refused_and_change_nothing(
    submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant, action, status
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = submit_kk()
    actor = citizen if TRANSITIONS[action].who == "citizen" else officer
    with in_tenant(tenant_a):
        before = ApplicationEvent.objects.filter(application=app).count()
        with pytest.raises(IllegalTransition) as err:
            _go(app, action, actor, note="x")
        assert err.value.status == 409
        app.refresh_from_db()
        assert app.status == status
        assert ApplicationEvent.objects.filter(application=app).count() == before


def test_unknown_action(submit_kk, staff, kk_offering, tenant_a, in_tenant):
    app = submit_kk()
    with in_tenant(tenant_a), pytest.raises(UnknownAction):
        _go(app, "teleport", staff(StaffRole.Role.OFFICER, kk_offering))


def test_wrong_roles_get_403_and_other_opd_gets_404(
    submit_kk, staff, kk_offering, sip_offering, citizen, other_citizen, tenant_a, in_tenant
):
    app = submit_kk()
    front_desk = staff(StaffRole.Role.FRONT_DESK, kk_offering)
    other_opd_officer = staff(StaffRole.Role.OFFICER, sip_offering)
    with in_tenant(tenant_a):
        with pytest.raises(WrongRole):
            _go(app, "start_verification", front_desk)
        with pytest.raises(WrongRole):  # the applicant may not verify their own application
            _go(app, "start_verification", citizen)
        with pytest.raises(ApplicationNotFound):
            _go(app, "start_verification", other_opd_officer)
        with pytest.raises(ApplicationNotFound):  # another citizen cannot cancel it
            _go(app, "cancel", other_citizen)
        app.refresh_from_db()
        assert app.status == "submitted"


def test_tenant_admin_and_agency_head_may_act(submit_kk, staff, kk_offering, tenant_a, in_tenant):
    app = submit_kk()
    admin = staff(StaffRole.Role.TENANT_ADMIN)
    head = staff(StaffRole.Role.AGENCY_HEAD, kk_offering)
    with in_tenant(tenant_a):
        _go(app, "start_verification", admin)
        assert _go(app, "accept", head).status == "in_process"


def test_cancel_only_before_processing(submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    first, second = submit_kk(), submit_kk()
    with in_tenant(tenant_a):
        assert _go(first, "cancel", citizen).status == "cancelled"
        _go(second, "start_verification", officer)
        _go(second, "accept", officer)
        _go(second, "return", officer, note="Lengkapi.")
        with pytest.raises(IllegalTransition):
            _go(second, "cancel", citizen)


def test_complete_needs_the_output_for_platform_issued_permits(
    citizen, sip_offering, staff, tenant_a, in_tenant
):
    # given an approved SIP application (template "sip")
    officer = staff(StaffRole.Role.OFFICER, sip_offering)
    with in_tenant(tenant_a):
        app = Application.objects.create(
            offering=sip_offering, service_code=sip_offering.service_code,
            service_version_id=sip_offering.service_version_id, agency=sip_offering.agency,
            applicant_id=citizen.pk, status="approved", tracking_code="3273-SIPDOKTER-2601-0001",
            current_step="serah_terima",  # the hand-over step of the SIP workflow
        )
        with pytest.raises(OutputMissing):
            _go(app, "complete", officer)
        # and "Selesaikan" is not offered until the output exists (issue 17)
        loaded = Application.objects.select_related("service_version").get(pk=app.pk)
        assert "complete" not in [t.action for t in allowed_actions(loaded, user=officer)]
        output_generate(application_id=app.pk, actor=officer, base_url="http://x.localhost")
        loaded = Application.objects.select_related("service_version").get(pk=app.pk)
        assert "complete" in [t.action for t in allowed_actions(loaded, user=officer)]
        assert _go(app, "complete", officer).status == "completed"


def test_staff_of_another_tenant_cannot_transition_and_nothing_changes(
    submit_kk, staff_user, tenant_a, tenant_b, in_tenant, kk_offering_b
):
    # given an application in A and a tenant admin of B
    app = submit_kk()
    admin_b = staff_user(tenant_b)
    with in_tenant(tenant_a):
        events_before = ApplicationEvent.objects.filter(application=app).count()
    # when B's admin tries the same id in B's schema
    with in_tenant(tenant_b):
        with pytest.raises(ApplicationNotFound):
            _go(app, "start_verification", admin_b)
        assert not Application.objects.exists()
    # then A's row is untouched
    with in_tenant(tenant_a):
        app.refresh_from_db()
        assert app.status == "submitted"
        assert ApplicationEvent.objects.filter(application=app).count() == events_before
