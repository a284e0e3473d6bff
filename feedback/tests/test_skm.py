"""SKM: once per transaction, signed single-use link, no staff submission (403)."""

from __future__ import annotations

import pytest

from agencies.models import StaffRole
from feedback import services as fs
from feedback.errors import StaffCannotSubmitSurvey, SurveyAlreadySubmitted, SurveyLinkInvalid
from feedback.models import SkmResponse
from feedback.tests.fixtures import make_application, walk_in_served

ANSWERS = {f"u{i}": 4 for i in range(1, 10)}


def test_invitation_is_once_per_transaction(hall_a, in_tenant):
    with in_tenant(hall_a.tenant):
        first = fs.skm_invite(source="ticket", source_id=99, channel="counter")
        again = fs.skm_invite(source="ticket", source_id=99, channel="counter")
        assert first.pk == again.pk
        assert SkmResponse.objects.filter(source="ticket", source_id=99).count() == 1


def test_submit_once_then_conflict(hall_a, in_tenant, user_factory):
    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        _ticket, token = walk_in_served(hall_a)
        response = fs.skm_submit(token=token, user=citizen, answers=ANSWERS, comment="Cepat")
        assert response.u9 == 4 and response.comment == "Cepat" and response.citizen_id == citizen.pk
        with pytest.raises(SurveyAlreadySubmitted):
            fs.skm_submit(token=token, user=citizen, answers=ANSWERS)
        with pytest.raises(SurveyLinkInvalid):
            fs.skm_submit(token=token + "x", user=citizen, answers=ANSWERS)


def test_staff_cannot_submit_service_and_page_and_api(hall_a, in_tenant, staff_user, client_a):
    officer = staff_user(hall_a.tenant, role=StaffRole.Role.OFFICER, agency=hall_a.agency)
    with in_tenant(hall_a.tenant):
        ticket, token = walk_in_served(hall_a)
        with pytest.raises(StaffCannotSubmitSurvey):
            fs.skm_submit(token=token, user=officer, answers=ANSWERS)
    client_a.force_login(officer)
    page = client_a.post(f"/skm/{token}/", ANSWERS)
    assert page.status_code == 403
    assert "Akun staf tidak dapat mengisi" in page.content.decode()
    api = client_a.post(f"/api/v1/skm/{token}/", ANSWERS, content_type="application/json")
    assert api.status_code == 403
    assert api.json()["code"] == "skm_staff_forbidden"
    with in_tenant(hall_a.tenant):
        assert SkmResponse.objects.get(source="ticket", source_id=ticket.pk).submitted_at is None


def test_anonymous_citizen_submits_by_qr_link(hall_a, in_tenant, client_a):
    with in_tenant(hall_a.tenant):
        _ticket, token = walk_in_served(hall_a)
    form = client_a.get(f"/skm/{token}/")
    assert form.status_code == 200
    assert "Sangat sesuai" in form.content.decode() and "Gratis" in form.content.decode()
    done = client_a.post(f"/skm/{token}/", {**ANSWERS, "comment": ""})
    assert "Terima kasih" in done.content.decode()
    again = client_a.post(f"/api/v1/skm/{token}/", ANSWERS, content_type="application/json")
    assert again.status_code == 409


def test_token_of_tenant_a_is_useless_on_tenant_b(hall_a, hall_b, in_tenant, client_b):
    with in_tenant(hall_a.tenant):
        ticket, token = walk_in_served(hall_a)
    with in_tenant(hall_b.tenant):
        before = SkmResponse.objects.count()
    response = client_b.post(f"/api/v1/skm/{token}/", ANSWERS, content_type="application/json")
    assert response.status_code == 404
    with in_tenant(hall_b.tenant):
        assert SkmResponse.objects.count() == before
    with in_tenant(hall_a.tenant):
        assert SkmResponse.objects.get(source_id=ticket.pk).submitted_at is None


def test_completed_application_hook_invites_and_notifies_once(hall_a, in_tenant, user_factory):
    from applications.models import Notification
    from feedback.hooks import skm_invite_for_application
    from feedback.sweeps import skm_invite_completed_sweep

    citizen = user_factory()
    with in_tenant(hall_a.tenant):
        application = make_application(hall_a, applicant_id=citizen.pk)
        response = skm_invite_for_application(application_id=application.pk)
        assert skm_invite_for_application(application_id=application.pk).pk == response.pk
        assert response.channel == "online" and response.citizen_id == citizen.pk
        assert Notification.objects.filter(dedup_key=f"skm:{application.pk}").count() >= 1
        # the periodic sweep finds nothing more to do; a missed one is caught
        missed = make_application(hall_a, applicant_id=citizen.pk)
        assert skm_invite_completed_sweep() == 1
        assert SkmResponse.objects.filter(source="application", source_id=missed.pk).exists()
