"""Orientation wizard on the tenant host (/kelola/orientasi/) and staff invitations."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from agencies.models import Agency, StaffRole
from agencies.services import agency_create
from hall.models import Counter
from onboarding.models import Invitation, OnboardingProgress
from regions.services import region_import_apply
from tenants.models import Tenant
from tenants.services import tenant_set_state

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _catalogue_not_required(monkeypatch):
    """The services catalogue belongs to another app: by default these tests run as if it were
    not there yet ("segera hadir"); test_services_step_* patch the offering count instead."""
    monkeypatch.setattr("onboarding.selectors.services_catalogue_available", lambda: False)


@pytest.fixture
def onboarding_b(tenant_b):
    """Sragen back in the onboarding state (the session fixture made it live)."""
    tenant_set_state(tenant=tenant_b, state=Tenant.State.ONBOARDING)
    return tenant_b


@pytest.fixture
def admin_b(onboarding_b, staff_user, client_b):
    user = staff_user(onboarding_b)
    client_b.force_login(user)
    return user


def _profile(**overrides):
    data = {"address": "Jl. Raya Sukowati 255, Sragen", "contact_email": "mpp@sragenkab.go.id",
            "contact_phone": "0271 891 000", "timezone": "Asia/Jakarta"}
    data.update(overrides)
    return data


def _world(tenants, in_tenant):
    result = {}
    for tenant in tenants:
        with in_tenant(tenant):
            result[tenant.schema_name] = (
                Agency.objects.count(), Counter.objects.count(),
                StaffRole.objects.count(),
            )
    with schema_context("public"):
        result["public"] = (
            OnboardingProgress.objects.count(), Invitation.objects.count(),
            sorted(Tenant.objects.values_list("schema_name", "state", "timezone")),
        )
    return result


def test_steps_are_gated_in_order(client_b, admin_b):
    # the regions step before the profile is saved → back to the profile
    response = client_b.get("/kelola/orientasi/opd/")
    assert response.status_code == 302
    assert response["Location"] == "/kelola/orientasi/profile/"
    assert client_b.get("/kelola/orientasi/").status_code == 200
    assert client_b.get("/kelola/orientasi/profile/").status_code == 200
    assert client_b.get("/kelola/orientasi/tidak-ada/").status_code == 404


def test_profile_saves_progress_and_timezone(client_b, admin_b, onboarding_b):
    response = client_b.get("/kelola/orientasi/profile/")
    assert "Kabupaten Sragen" in response.content.decode()
    response = client_b.post(
        "/kelola/orientasi/profile/",
        {**_profile(timezone="Asia/Makassar"), "logo": SimpleUploadedFile("l.png", PNG)},
    )
    assert response.status_code == 302
    progress = OnboardingProgress.objects.get(tenant=onboarding_b)
    assert progress.steps["profile"]["done"] is True
    assert progress.steps["profile"]["by"] == admin_b.pk
    assert progress.profile["logo"].startswith("profil/logo")
    assert Tenant.objects.get(pk=onboarding_b.pk).timezone == "Asia/Makassar"
    # the page warns that the timezone differs from the province's
    assert "berbeda dari zona waktu provinsi" in client_b.get(
        "/kelola/orientasi/profile/").content.decode()
    # resumable: now the next step opens
    assert client_b.get("/kelola/orientasi/regions/").status_code == 200


@pytest.mark.parametrize(
    ("logo", "message"),
    [(b"GIF89a....", "PNG atau JPEG"), (PNG + b"0" * (1024 * 1024), "batasnya 1 MB")],
)
def test_bad_logo_is_refused_and_input_kept(client_b, admin_b, onboarding_b, logo, message):
    response = client_b.post(
        "/kelola/orientasi/profile/", {**_profile(), "logo": SimpleUploadedFile("l.png", logo)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Jl. Raya Sukowati 255" in response.content.decode()
    assert not OnboardingProgress.objects.filter(tenant=onboarding_b, steps__has_key="profile").exists()


def test_go_live_is_refused_with_the_missing_steps_then_succeeds(
    client_b, admin_b, onboarding_b, in_tenant
):
    client_b.post("/kelola/orientasi/profile/", _profile())
    response = client_b.post("/kelola/orientasi/golive/")
    html = response.content.decode()
    assert response.status_code == 409
    for label in ("Wilayah", "OPD", "Loket"):
        assert f"<li>{label}</li>" in html
    assert Tenant.objects.get(pk=onboarding_b.pk).state == Tenant.State.ONBOARDING
    # complete the steps
    with in_tenant(onboarding_b):
        region_import_apply(actor=None, source="reference")
    assert client_b.post("/kelola/orientasi/opd/", {"suggestion": "disdukcapil"}).status_code == 302
    with in_tenant(onboarding_b):
        assert Agency.objects.get(code="disdukcapil").short_name == "Disdukcapil"
    response = client_b.post("/kelola/orientasi/counters/", {"code": "loket-1", "name": "Loket 1"})
    assert response.status_code == 302
    response = client_b.post("/kelola/orientasi/golive/")
    assert response.status_code == 302
    assert Tenant.objects.get(pk=onboarding_b.pk).state == Tenant.State.LIVE
    assert OnboardingProgress.objects.get(tenant=onboarding_b).went_live_at is not None


def test_a_tenant_whose_kecamatan_have_no_desa_cannot_go_live(
    client_b, admin_b, onboarding_b, in_tenant
):
    """Forms need a kecamatan AND one of its desa: kecamatan alone do not complete the step."""
    from onboarding.errors import GoLiveRefused
    from onboarding.services import onboarding_go_live
    from regions.models import District

    client_b.post("/kelola/orientasi/profile/", _profile())
    with in_tenant(onboarding_b):
        District.objects.create(code="33.14.01", name="Kalijambe")
        agency_create(name="Dinas Kesehatan")
        Counter.objects.create(code="loket-1", name="Loket 1")
    with pytest.raises(GoLiveRefused) as refused:
        onboarding_go_live(tenant=onboarding_b, actor=admin_b)
    assert refused.value.extra["missing"] == ["Wilayah"]
    page = client_b.get("/kelola/orientasi/regions/").content.decode()
    assert "Belum ada kecamatan aktif dengan desa/kelurahan" in page
    assert Tenant.objects.get(pk=onboarding_b.pk).state == Tenant.State.ONBOARDING


@pytest.mark.parametrize(("offerings", "done"), [(0, False), (3, True)])
def test_services_step_counts_offerings_when_the_catalogue_exists(
    onboarding_b, monkeypatch, offerings, done
):
    from onboarding import selectors

    monkeypatch.setattr(selectors, "services_catalogue_available", lambda: True)
    monkeypatch.setattr(selectors, "_offering_count", lambda: offerings)
    step = {s.key: s for s in selectors.wizard_steps(tenant=onboarding_b)}["services"]
    assert (step.required, step.done) == (True, done)


def test_services_step_says_coming_soon_without_the_catalogue(onboarding_b):
    from onboarding import selectors

    step = {s.key: s for s in selectors.wizard_steps(tenant=onboarding_b)}["services"]
    assert (step.required, step.done, step.note) == (False, True, "segera hadir")


def test_counter_code_must_be_unique(client_b, admin_b, onboarding_b, in_tenant):
    client_b.post("/kelola/orientasi/profile/", _profile())
    with in_tenant(onboarding_b):
        region_import_apply(actor=None, source="reference")
        agency_create(name="Dinas Kesehatan")
        Counter.objects.create(code="loket-1", name="Loket 1")
    response = client_b.post("/kelola/orientasi/counters/", {"code": "loket-1", "name": "Lagi"})
    assert response.status_code == 400
    assert "sudah ada" in response.content.decode()


def test_invitation_is_emailed_and_accepted_on_the_tenant_host(
    client_b, admin_b, onboarding_b, in_tenant, user_factory, django_capture_on_commit_callbacks
):
    with in_tenant(onboarding_b):
        agency = agency_create(name="Dinas Kesehatan", short_name="Dinkes")
    invitee = user_factory(email="petugas@sragenkab.go.id")
    with django_capture_on_commit_callbacks(execute=True):
        # staff step is after profile/regions/opd/services → complete the required ones first
        client_b.post("/kelola/orientasi/profile/", _profile())
        with in_tenant(onboarding_b):
            region_import_apply(actor=None, source="reference")
        response = client_b.post("/kelola/orientasi/staff/", {
            "email": "petugas@sragenkab.go.id", "role": "officer", "agency": agency.pk})
    assert response.status_code == 302
    invitation = Invitation.objects.get(tenant=onboarding_b)
    assert f"http://kab-sragen.localhost/undangan/{invitation.token}/" in mail.outbox[-1].body
    # accepted by the invited user, logged in on the tenant host
    client = Client(HTTP_HOST="kab-sragen.localhost")
    client.force_login(invitee)
    assert client.post(f"/undangan/{invitation.token}/").status_code == 302
    with in_tenant(onboarding_b):
        assert StaffRole.objects.filter(user_id=invitee.pk, role="officer", agency=agency).exists()


def test_invitation_needs_an_agency_except_for_admins(client_b, admin_b, onboarding_b, in_tenant):
    client_b.post("/kelola/orientasi/profile/", _profile())
    with in_tenant(onboarding_b):
        region_import_apply(actor=None, source="reference")
        agency_create(name="Dinas Kesehatan")
    response = client_b.post("/kelola/orientasi/staff/", {"email": "x@sragenkab.go.id",
                                                         "role": "officer"})
    assert response.status_code == 400
    assert "Pilih OPD" in response.content.decode()
    assert 'value="x@sragenkab.go.id"' in response.content.decode()


def test_new_invitee_registers_and_gets_the_role(onboarding_b, in_tenant, staff_user):
    from accounts.models import User
    from onboarding.services import invitation_create

    admin = staff_user(onboarding_b)
    invitation = invitation_create(tenant=onboarding_b, email="baru@sragenkab.go.id",
                                   role="tenant_admin", agency=None, actor=admin)
    client = Client(HTTP_HOST="kab-sragen.localhost")
    response = client.post(f"/undangan/{invitation.token}/", {
        "full_name": "Budi", "password1": "Kuat-sekali-2026", "password2": "Kuat-sekali-2026"})
    assert response.status_code == 302
    user = User.objects.get(email="baru@sragenkab.go.id")
    with in_tenant(onboarding_b):
        assert StaffRole.objects.filter(user_id=user.pk, role="tenant_admin").exists()


def test_invitation_for_another_email_is_refused(onboarding_b, in_tenant, staff_user, user_factory):
    from onboarding.services import invitation_create

    admin = staff_user(onboarding_b)
    invitation = invitation_create(tenant=onboarding_b, email="a@sragenkab.go.id",
                                   role="tenant_admin", agency=None, actor=admin)
    other = user_factory()
    client = Client(HTTP_HOST="kab-sragen.localhost")
    client.force_login(other)
    response = client.post(f"/undangan/{invitation.token}/")
    assert response.status_code == 400
    assert "Undangan ini untuk a@sragenkab.go.id" in response.content.decode()
    with in_tenant(onboarding_b):
        assert not StaffRole.objects.filter(user_id=other.pk).exists()


# --- cross-tenant negative tests ------------------------------------------------------------


def test_wizard_is_for_tenant_admins_only(client_b, onboarding_b, staff_user, in_tenant):
    with in_tenant(onboarding_b):
        agency = agency_create(name="Dinas Kesehatan")
    officer = staff_user(onboarding_b, role=StaffRole.Role.OFFICER, agency=agency)
    client_b.force_login(officer)
    assert client_b.get("/kelola/orientasi/").status_code == 403
    assert client_b.post("/kelola/orientasi/golive/").status_code == 403


def test_admin_of_a_cannot_use_bs_wizard_and_nothing_changes(
    tenant_a, onboarding_b, staff_user, in_tenant
):
    admin_a = staff_user(tenant_a)
    before = _world([tenant_a, onboarding_b], in_tenant)
    client = Client(HTTP_HOST="kab-sragen.localhost")
    client.force_login(admin_a)
    for method, url, data in [
        ("get", "/kelola/orientasi/", {}),
        ("post", "/kelola/orientasi/profile/", _profile(timezone="Asia/Jayapura")),
        ("post", "/kelola/orientasi/opd/", {"suggestion": "disdukcapil"}),
        ("post", "/kelola/orientasi/counters/", {"code": "x", "name": "X"}),
        ("post", "/kelola/orientasi/staff/", {"email": "z@x.id", "role": "tenant_admin"}),
        ("post", "/kelola/orientasi/golive/", {}),
    ]:
        assert getattr(client, method)(url, data).status_code == 403, url
    assert _world([tenant_a, onboarding_b], in_tenant) == before


def test_invitation_token_of_b_is_404_on_a_and_nothing_changes(
    tenant_a, onboarding_b, in_tenant, staff_user, user_factory
):
    from onboarding.services import invitation_create

    admin = staff_user(onboarding_b)
    invitation = invitation_create(tenant=onboarding_b, email="c@sragenkab.go.id",
                                   role="tenant_admin", agency=None, actor=admin)
    invitee = user_factory(email="c@sragenkab.go.id")
    before = _world([tenant_a, onboarding_b], in_tenant)
    client = Client(HTTP_HOST="kota-bandung.localhost")
    client.force_login(invitee)
    assert client.get(f"/undangan/{invitation.token}/").status_code == 404
    assert client.post(f"/undangan/{invitation.token}/").status_code == 404
    assert _world([tenant_a, onboarding_b], in_tenant) == before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_wizard_does_not_exist_on_the_platform_host(platform_client, user_factory):
    platform_client.force_login(user_factory())
    assert platform_client.get("/kelola/orientasi/").status_code == 404
