"""One login for every regency (issue 16 item 2, docs/adr/0010): the platform host signs a
citizen in once and hands the sign-in to each tenant host with a single-use code bound to it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from accounts import sso
from accounts.models import SignOnHandoff, User
from audit.models import AuditEvent
from tests.hosts import host_of

PASSWORD = "rahasia-123"


@pytest.fixture
def citizen(user_factory):
    return user_factory(email="warga.sso@example.id")


def _signed_in(client: Client) -> bool:
    return client.get("/api/v1/me/").status_code == 200


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _platform_login(platform_client: Client) -> None:
    response = platform_client.post("/masuk/", {"identifier": "warga.sso@example.id",
                                                "password": PASSWORD})
    assert response.status_code == 302


def _to_platform(tenant_client: Client, path: str = "/permohonan/") -> str:
    """The tenant's login redirect for `path`, followed to the platform's /akun/sso/ URL."""
    login = tenant_client.get(path)
    assert login.status_code == 302 and login["Location"].startswith("/masuk/?next=")
    start = tenant_client.get(login["Location"])
    assert start.status_code == 302
    assert start["Location"].startswith("http://localhost/akun/sso/?")
    return start["Location"]


def _code_url(tenant_client: Client, platform_client: Client, path: str = "/permohonan/") -> str:
    start = _to_platform(tenant_client, path)
    back = platform_client.get(start.removeprefix("http://localhost"))
    assert back.status_code == 302
    return back["Location"]


def _redeem(tenant_client: Client, code_url: str):
    parts = urlsplit(code_url)
    return tenant_client.get(parts.path, _query(code_url))


def test_signed_in_on_the_platform_opens_both_regencies_without_typing(
    tenant_a, tenant_b, citizen, platform_client
):
    # given a citizen signed in once, on the platform host
    _platform_login(platform_client)
    for tenant in (tenant_a, tenant_b):
        client = Client(HTTP_HOST=host_of(tenant))
        # when they open a page that needs login on a regency's portal
        code_url = _code_url(client, platform_client)
        # then the platform sends them straight back with a code for that host only
        assert code_url.startswith(f"http://{host_of(tenant)}/akun/sso/terima/?")
        assert _query(code_url)["next"] == "/permohonan/"
        done = _redeem(client, code_url)
        assert done.status_code == 302 and done["Location"] == "/permohonan/"
        assert client.get("/api/v1/me/").json()["id"] == citizen.pk
        assert client.get("/permohonan/").status_code == 200
        # and the session is this host's own (bound to it, a fresh cookie)
        assert client.cookies["sessionid"].value != platform_client.cookies["sessionid"].value
    assert AuditEvent.objects.filter(action="account.sso_sign_in", actor_id=citizen.pk,
                                     outcome="ok").count() == 2


def test_login_on_a_tenant_signs_in_the_platform_so_the_next_tenant_needs_no_typing(
    tenant_a, tenant_b, citizen
):
    browser_platform = Client(HTTP_HOST="localhost")
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    # the Bandung login page sends the browser to the platform, whose form signs in there
    start = _to_platform(bandung)
    asked = browser_platform.get(start.removeprefix("http://localhost"))
    assert asked.status_code == 302 and asked["Location"].startswith("/masuk/?next=")
    login_next = _query(asked["Location"])["next"]
    assert browser_platform.get(asked["Location"]).status_code == 200
    posted = browser_platform.post("/masuk/", {"identifier": citizen.email,
                                               "password": PASSWORD, "next": login_next})
    assert posted.status_code == 302 and posted["Location"] == login_next
    code_url = browser_platform.get(login_next)["Location"]
    assert _redeem(bandung, code_url)["Location"] == "/permohonan/"
    assert _signed_in(bandung) and _signed_in(browser_platform)
    # then Sragen takes one redirect to the platform and back
    sragen = Client(HTTP_HOST=host_of(tenant_b))
    assert _redeem(sragen, _code_url(sragen, browser_platform))["Location"] == "/permohonan/"
    assert _signed_in(sragen)


def test_signing_out_on_one_host_ends_every_session(tenant_a, tenant_b, citizen,
                                                    platform_client):
    _platform_login(platform_client)
    bandung, sragen = Client(HTTP_HOST=host_of(tenant_a)), Client(HTTP_HOST=host_of(tenant_b))
    for client in (bandung, sragen):
        _redeem(client, _code_url(client, platform_client))
        assert _signed_in(client)
    # a code issued before the sign-out is dead too
    late = Client(HTTP_HOST=host_of(tenant_b))
    late_code = _code_url(late, platform_client)
    # when the citizen signs out on Sragen
    assert sragen.post("/keluar/").status_code == 302
    # then Bandung and the platform are signed out as well, and the old code is refused
    for client in (sragen, bandung, platform_client):
        assert not _signed_in(client)
    assert _redeem(late, late_code).status_code == 400
    assert not _signed_in(late)
    assert AuditEvent.objects.filter(action="account.sign_out", actor_id=citizen.pk).exists()
    # and signing in again works (a new generation)
    _platform_login(platform_client)
    _redeem(bandung, _code_url(bandung, platform_client))
    assert _signed_in(bandung)


def test_a_replayed_code_is_refused(tenant_a, citizen, platform_client):
    _platform_login(platform_client)
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    code_url = _code_url(bandung, platform_client)
    assert _redeem(bandung, code_url).status_code == 302
    # the same browser, signed out locally, or a thief replaying the link
    bandung.logout()
    replay = _redeem(bandung, code_url)
    assert replay.status_code == 400
    assert "tidak berlaku" in replay.content.decode()
    assert not _signed_in(bandung)


def test_a_code_for_one_host_is_refused_on_another(tenant_a, tenant_b, citizen,
                                                   platform_client):
    _platform_login(platform_client)
    bandung, sragen = Client(HTTP_HOST=host_of(tenant_a)), Client(HTTP_HOST=host_of(tenant_b))
    code_url = _code_url(bandung, platform_client)
    _to_platform(sragen)  # Sragen's browser session holds a state of its own
    assert _redeem(sragen, code_url).status_code == 400
    assert not _signed_in(sragen)
    # nothing changed: the code still works where it belongs
    assert SignOnHandoff.objects.get().used_at is None
    assert _redeem(bandung, code_url).status_code == 302 and _signed_in(bandung)


def test_a_code_asked_for_by_another_browser_is_refused(tenant_a, citizen, platform_client):
    """Login CSRF: an attacker's code pushed into a victim's browser does not sign it in."""
    _platform_login(platform_client)
    attacker = Client(HTTP_HOST=host_of(tenant_a))
    code_url = _code_url(attacker, platform_client)
    victim = Client(HTTP_HOST=host_of(tenant_a))
    assert _redeem(victim, code_url).status_code == 400
    _to_platform(victim)  # even with a state of its own
    assert _redeem(victim, code_url).status_code == 400
    assert not _signed_in(victim)
    assert SignOnHandoff.objects.get().used_at is None


def test_an_expired_code_is_refused(tenant_a, citizen, platform_client, time_machine):
    _platform_login(platform_client)
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    code_url = _code_url(bandung, platform_client)
    time_machine.move_to(SignOnHandoff.objects.get().expires_at + timedelta(seconds=1))
    assert _redeem(bandung, code_url).status_code == 400
    assert not _signed_in(bandung)
    assert SignOnHandoff.objects.get().used_at is None


def test_a_forged_or_tampered_code_is_refused(tenant_a, tenant_b, citizen, platform_client):
    _platform_login(platform_client)
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    query = _query(_code_url(bandung, platform_client))
    payload = signing.loads(query["code"], salt=sso.SALT)
    forged = signing.dumps(payload, salt="another.salt", compress=False)
    for code in ("", "x", query["code"] + "x", forged):
        assert bandung.get("/akun/sso/terima/", {"code": code}).status_code == 400
    assert not _signed_in(bandung)
    assert AuditEvent.objects.filter(action="account.sso_sign_in", outcome="refused").exists()


@pytest.mark.parametrize("next_url", [
    "https://evil.example/permohonan/",
    "http://evil.example/",
    "//evil.example/",
    "http://localhost/",  # the platform itself is not a tenant
    "http://kota-bandung.localhost.evil.example/",
    "http://kota-bandung.localhost@evil.example/",
    "http://user@kota-bandung.localhost/",
    "http://kota-bandung.localhost:8443/",  # another port than the platform's
    "https://kota-bandung.localhost/",  # another scheme than the platform's
    "http://kab-tidak-ada.localhost/",
    "http://kota-bandung.localhost//evil.example/",
    "http://kota-bandung.localhost/\\evil.example",
    "javascript:alert(1)",
    "",
])
def test_the_platform_never_redirects_outside_a_known_tenant(
    tenant_a, citizen, platform_client, next_url
):
    _platform_login(platform_client)
    response = platform_client.get("/akun/sso/", {"next": next_url, "state": "s" * 32})
    assert response.status_code == 400
    assert not SignOnHandoff.objects.exists()


def test_the_platform_rebuilds_the_tenant_url_from_checked_parts(tenant_a, citizen,
                                                                 platform_client):
    _platform_login(platform_client)
    response = platform_client.get("/akun/sso/", {
        "next": "http://KOTA-BANDUNG.localhost./permohonan/?status=baru", "state": "s" * 32,
    })
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("http://kota-bandung.localhost/akun/sso/terima/?")
    assert _query(location)["next"] == "/permohonan/?status=baru"


def test_a_missing_or_malformed_state_is_refused(tenant_a, citizen, platform_client):
    _platform_login(platform_client)
    for state in ("", "short", "<script>" * 4):
        response = platform_client.get(
            "/akun/sso/", {"next": "http://kota-bandung.localhost/", "state": state}
        )
        assert response.status_code == 400
    assert not SignOnHandoff.objects.exists()


def test_the_tenant_keeps_next_on_its_own_host(tenant_a, citizen, platform_client):
    _platform_login(platform_client)
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    start = bandung.get("/masuk/", {"next": "https://evil.example/"})
    assert _query(start["Location"])["next"] == "http://kota-bandung.localhost/"
    code_url = platform_client.get(start["Location"].removeprefix("http://localhost"))["Location"]
    query = _query(code_url)
    response = bandung.get("/akun/sso/terima/", {"code": query["code"],
                                                 "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_endpoints_live_on_their_own_side(tenant_a, platform_client):
    assert platform_client.get("/akun/sso/terima/", {"code": "x"}).status_code == 404
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    assert bandung.get("/akun/sso/", {"next": "http://kota-bandung.localhost/"}).status_code \
        == 404


def test_the_tenants_own_form_stays_reachable(tenant_a, citizen):
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    assert bandung.get("/masuk/", {"lokal": "1"}).status_code == 200
    assert bandung.post("/masuk/", {"identifier": citizen.email,
                                    "password": PASSWORD}).status_code == 302
    assert _signed_in(bandung)


def test_an_inactive_account_gets_no_handoff(tenant_a, citizen, platform_client):
    _platform_login(platform_client)
    bandung = Client(HTTP_HOST=host_of(tenant_a))
    code_url = _code_url(bandung, platform_client)
    User.objects.filter(pk=citizen.pk).update(is_active=False)
    assert _redeem(bandung, code_url).status_code == 400
    assert not _signed_in(bandung)


def test_staff_roles_stay_per_tenant(tenant_a, tenant_b, staff_user, platform_client):
    officer = staff_user(tenant_a, email="admin.sso@example.id")
    assert platform_client.post("/masuk/", {"identifier": officer.email,
                                            "password": PASSWORD}).status_code == 302
    bandung, sragen = Client(HTTP_HOST=host_of(tenant_a)), Client(HTTP_HOST=host_of(tenant_b))
    for client in (bandung, sragen):
        _redeem(client, _code_url(client, platform_client, "/kelola/"))
    assert bandung.get("/kelola/").status_code == 200
    assert sragen.get("/kelola/").status_code == 403
