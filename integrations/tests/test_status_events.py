"""Status pushes from OPD systems: bearer token or HMAC signature, idempotent by event id,
mapped onto the local status machine, refused across agencies and tenants."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from integrations.crypto import sign

from .conftest import basic_auth

URL = "/api/v1/integrations/status-events/"


@pytest.fixture
def external_application(citizen, external_offering, tenant_a, in_tenant):
    from integrations.services import external_application_open

    with in_tenant(tenant_a):
        return external_application_open(
            applicant=citizen, offering=external_offering, host_url="http://kota-bandung.localhost"
        ).application


def client_token(http, rp) -> str:
    response = http.post("/o/token/", {"grant_type": "client_credentials",
                                       "scope": "status:write"},
                         HTTP_AUTHORIZATION=basic_auth(rp.client_id, rp.client_secret))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def push(http, token, **body):
    return http.post(URL, json.dumps(body), content_type="application/json",
                     HTTP_AUTHORIZATION=f"Bearer {token}")


def signed_push(http, rp, body: dict, *, timestamp: int | None = None, secret: str | None = None):
    raw = json.dumps(body).encode()
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return http.post(URL, raw, content_type="application/json", HTTP_X_MPP_CLIENT_ID=rp.client_id,
                     HTTP_X_MPP_TIMESTAMP=ts,
                     HTTP_X_MPP_SIGNATURE=sign(secret or rp.signing_secret, ts, raw))


def _events(tenant, in_tenant, application):
    from applications.models import ApplicationEvent

    with in_tenant(tenant):
        return list(ApplicationEvent.objects.filter(application=application, kind="transition")
                    .values_list("from_status", "to_status"))


def test_same_event_sent_three_times_is_applied_once(client_a, tenant_a, in_tenant, agency_a,
                                                     make_rp, external_application):
    rp = make_rp(tenant_a, agency_a)
    token = client_token(client_a, rp)
    body = {"event_id": "evt-1", "application": external_application.tracking_code,
            "status": "in_process", "note": "Berkas diterima di SiCantik"}
    responses = [push(client_a, token, **body) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert [r.json()["replayed"] for r in responses] == [False, True, True]
    assert responses[0].json()["actions"] == ["start_verification", "accept"]
    # the local machine moved once: submitted → in_verification → in_process
    assert _events(tenant_a, in_tenant, external_application) == [
        ("draft", "submitted"), ("submitted", "in_verification"),
        ("in_verification", "in_process"),
    ]
    with in_tenant(tenant_a):
        from applications.models import Application

        app = Application.objects.get(pk=external_application.pk)
        assert app.status == "in_process"
        assert app.clock_started_at is not None  # the SLA engine runs


def test_same_event_id_with_other_content_conflicts(client_a, tenant_a, agency_a, make_rp,
                                                    external_application):
    rp = make_rp(tenant_a, agency_a)
    token = client_token(client_a, rp)
    code = external_application.tracking_code
    assert push(client_a, token, event_id="e", application=code,
                status="in_verification").status_code == 201
    again = push(client_a, token, event_id="e", application=code, status="rejected", note="x")
    assert again.status_code == 409
    assert again.json()["code"] == "event_id_conflict"


def test_hmac_signed_push(client_a, tenant_a, agency_a, make_rp, external_application):
    rp = make_rp(tenant_a, agency_a)
    body = {"event_id": str(uuid.uuid4()), "application": external_application.tracking_code,
            "status": "in_verification"}
    assert signed_push(client_a, rp, body).status_code == 201


def test_bad_signature_and_stale_timestamp(client_a, tenant_a, in_tenant, agency_a, make_rp,
                                           external_application):
    rp = make_rp(tenant_a, agency_a)
    body = {"event_id": "sig", "application": external_application.tracking_code,
            "status": "in_verification"}
    bad = signed_push(client_a, rp, body, secret="not-the-secret")
    assert (bad.status_code, bad.json()["code"]) == (401, "bad_signature")
    stale = signed_push(client_a, rp, body, timestamp=int(time.time()) - 301)
    assert (stale.status_code, stale.json()["code"]) == (401, "stale_timestamp")
    assert _events(tenant_a, in_tenant, external_application) == [("draft", "submitted")]


def test_unknown_application_and_illegal_transition(client_a, tenant_a, agency_a, make_rp,
                                                    external_application):
    rp = make_rp(tenant_a, agency_a)
    token = client_token(client_a, rp)
    unknown = push(client_a, token, event_id="u", application="NOPE-1", status="in_process")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_application")
    code = external_application.tracking_code
    assert push(client_a, token, event_id="r", application=code, status="rejected",
                note="Tidak lengkap").status_code == 201
    illegal = push(client_a, token, event_id="i", application=code, status="in_process")
    assert (illegal.status_code, illegal.json()["code"]) == (409, "illegal_transition")


def test_only_the_clients_agency(client_a, tenant_a, in_tenant, other_agency_a, make_rp,
                                 external_application):
    # given a client of another OPD of the same tenant
    rp = make_rp(tenant_a, other_agency_a, name="SIMPUS")
    token = client_token(client_a, rp)
    response = push(client_a, token, event_id="x", application=external_application.tracking_code,
                    status="in_process")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_application")
    assert _events(tenant_a, in_tenant, external_application) == [("draft", "submitted")]


def test_cross_tenant_token_and_signature_are_refused(client_a, client_b, tenant_a, tenant_b,
                                                      in_tenant, agency_a, make_rp,
                                                      external_application):
    from applications.models import Application

    rp = make_rp(tenant_a, agency_a)
    token = client_token(client_a, rp)
    body = {"event_id": "cross", "application": external_application.tracking_code,
            "status": "in_process"}
    # tenant A's token on tenant B's host
    response = push(client_b, token, **body)
    assert response.status_code == 401
    # tenant A's signing secret on tenant B's host
    assert signed_push(client_b, rp, body).status_code == 401
    # nothing changed anywhere
    assert _events(tenant_a, in_tenant, external_application) == [("draft", "submitted")]
    with in_tenant(tenant_b):
        assert not Application.objects.filter(tracking_code=body["application"]).exists()


def test_user_tokens_cannot_push(client_a, tenant_a, agency_a, make_rp, external_application,
                                 admin_token):
    response = push(client_a, admin_token, event_id="h", application="X", status="in_process")
    assert response.status_code == 401


def test_status_write_is_never_granted_to_a_citizen(client_a, tenant_a, agency_a, citizen,
                                                    make_rp):
    from .conftest import REDIRECT_URI, pkce_pair

    rp = make_rp(tenant_a, agency_a)
    client_a.force_login(citizen)
    _v, challenge = pkce_pair()
    response = client_a.get("/o/authorize/", {
        "response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid status:write", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    assert "error=invalid_scope" in response["Location"]


def test_a_report_about_another_step_is_refused_and_changes_nothing(
    client_a, tenant_a, in_tenant, agency_a, make_rp, external_application
):
    """Issue 13: a status report may name the workflow step it is about; when the file is at
    another step it is refused (409 wrong_step) and nothing moves."""
    from applications.models import Application

    rp = make_rp(tenant_a, agency_a)
    token = client_token(client_a, rp)
    with in_tenant(tenant_a):
        current = Application.objects.get(pk=external_application.pk).current_step
    assert current
    refused = push(client_a, token, event_id="s-1", application=external_application.tracking_code,
                   status="in_process", step="keputusan-lain")
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "wrong_step"
    assert _events(tenant_a, in_tenant, external_application) == [("draft", "submitted")]
    applied = push(client_a, token, event_id="s-2", application=external_application.tracking_code,
                   status="in_verification", step=current)
    assert applied.status_code == 201, applied.content
    assert applied.json()["step"] == current
