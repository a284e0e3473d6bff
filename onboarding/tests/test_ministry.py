"""Ministry console (/kementerian/pendaftaran/) and provisioning to ready."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from agencies.models import StaffRole
from onboarding.models import OnboardingProgress, Registration
from onboarding.tests.conftest import PDF
from tenants.models import Tenant

URLS = [
    ("get", "/kementerian/pendaftaran/"),
    ("get", "/kementerian/pendaftaran/{pk}/"),
    ("get", "/kementerian/pendaftaran/{pk}/surat/"),
    ("post", "/kementerian/pendaftaran/{pk}/setujui/"),
    ("post", "/kementerian/pendaftaran/{pk}/tolak/"),
]


def _state(registration):
    registration.refresh_from_db()
    return registration.status, Tenant.objects.filter(region_code="33.09").exists()


@pytest.mark.parametrize(("method", "url"), URLS)
def test_non_ministry_users_get_403(method, url, platform_client, user_factory,
                                    verified_registration):
    platform_client.force_login(user_factory())
    before = _state(verified_registration)
    response = getattr(platform_client, method)(url.format(pk=verified_registration.pk),
                                                {"reason": "tidak lengkap"})
    assert response.status_code == 403
    assert _state(verified_registration) == before


@pytest.mark.parametrize(("method", "url"), URLS)
def test_ministry_urls_do_not_exist_on_tenant_hosts(method, url, client_a, ministry_admin,
                                                    verified_registration):
    client_a.force_login(ministry_admin)
    before = _state(verified_registration)
    response = getattr(client_a, method)(url.format(pk=verified_registration.pk))
    assert response.status_code == 404
    assert _state(verified_registration) == before


def test_anonymous_users_are_sent_to_login(platform_client, verified_registration):
    response = platform_client.get("/kementerian/pendaftaran/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_ministry_sees_pending_and_downloads_the_letter(platform_client, ministry_viewer,
                                                       verified_registration):
    platform_client.force_login(ministry_viewer)
    listed = platform_client.get("/kementerian/pendaftaran/").content.decode()
    assert "Kabupaten Boyolali" in listed
    letter = platform_client.get(f"/kementerian/pendaftaran/{verified_registration.pk}/surat/")
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert b"".join(letter.streaming_content) == PDF
    # a viewer may look but not decide
    response = platform_client.post(f"/kementerian/pendaftaran/{verified_registration.pk}/setujui/")
    assert response.status_code == 403
    assert _state(verified_registration) == (Registration.Status.PENDING_APPROVAL, False)


def test_reject_needs_a_reason_and_emails_it(platform_client, ministry_admin, verified_registration,
                                            django_capture_on_commit_callbacks):
    platform_client.force_login(ministry_admin)
    url = f"/kementerian/pendaftaran/{verified_registration.pk}/tolak/"
    response = platform_client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Tuliskan alasan penolakan" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(url, {"reason": "Surat penunjukan belum ditandatangani"})
    assert response.status_code == 302
    verified_registration.refresh_from_db()
    assert verified_registration.status == Registration.Status.REJECTED
    assert "belum ditandatangani" in mail.outbox[0].body


def test_approval_provisions_the_tenant_to_ready(platform_client, ministry_admin,
                                                verified_registration,
                                                django_capture_on_commit_callbacks):
    # given the ministry approves (Celery is eager: provisioning runs on commit)
    platform_client.force_login(ministry_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = platform_client.post(
            f"/kementerian/pendaftaran/{verified_registration.pk}/setujui/"
        )
    assert response.status_code == 302
    # then the tenant is ready and the registrant is its tenant admin
    verified_registration.refresh_from_db()
    tenant = Tenant.objects.get(region_code="33.09")
    assert tenant.is_ready and tenant.state == Tenant.State.ONBOARDING
    assert tenant.provisioning_step == "ready"
    assert verified_registration.status == Registration.Status.READY
    with tenant_context(tenant):
        assert StaffRole.objects.filter(
            user_id=verified_registration.user_id, role=StaffRole.Role.TENANT_ADMIN
        ).exists()
    assert OnboardingProgress.objects.filter(tenant=tenant).exists()
    # and the status page shows every step done and the wizard link
    status = Client(HTTP_HOST="localhost").get(f"/daftar/{verified_registration.token}/status/")
    html = status.content.decode()
    assert 'data-status="ready"' in html
    assert html.count('class="done"') == 5
    assert "http://kab-boyolali.localhost/kelola/orientasi/" in html
    assert "hx-trigger" not in html  # polling stops
    with schema_context("public"):
        # approving twice is refused
        platform_client.post(f"/kementerian/pendaftaran/{verified_registration.pk}/setujui/")
        assert Tenant.objects.filter(region_code="33.09").count() == 1


def test_status_page_polls_while_provisioning(verified_registration, ministry_admin,
                                             django_capture_on_commit_callbacks):
    from onboarding.services import registration_approve

    with django_capture_on_commit_callbacks(execute=False):
        registration_approve(registration_id=verified_registration.pk, actor=ministry_admin)
    client = Client(HTTP_HOST="localhost")
    html = client.get(f"/daftar/{verified_registration.token}/status/").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'data-step="queued"' in html
    partial = client.get(f"/daftar/{verified_registration.token}/status/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="status-panel"')


def test_failed_provisioning_shows_retry_and_retry_is_safe(
    verified_registration, ministry_admin, monkeypatch, django_capture_on_commit_callbacks
):
    import tenants.services
    from onboarding.services import registration_approve

    def broken(*args, **kwargs):
        def seed(**kw):
            raise RuntimeError("seeding exploded")
        return [seed]

    monkeypatch.setattr(tenants.services, "collect", broken)
    with django_capture_on_commit_callbacks(execute=True):
        registration_approve(registration_id=verified_registration.pk, actor=ministry_admin)
    client = Client(HTTP_HOST="localhost")
    html = client.get(f"/daftar/{verified_registration.token}/status/").content.decode()
    verified_registration.refresh_from_db()
    assert verified_registration.status == Registration.Status.FAILED
    assert "Ulangi penyiapan" in html
    tenant = Tenant.objects.get(region_code="33.09")
    assert tenant.provisioning_step == "failed" and not tenant.is_ready
    # when retried after the fault is gone
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/daftar/{verified_registration.token}/status/ulangi/")
    assert response.status_code == 302
    client.get(f"/daftar/{verified_registration.token}/status/")
    verified_registration.refresh_from_db()
    tenant.refresh_from_db()
    assert tenant.is_ready
    assert verified_registration.status == Registration.Status.READY
