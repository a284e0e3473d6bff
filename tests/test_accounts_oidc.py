"""Masuk dengan INApas: OpenID Connect code flow with PKCE against a local fake provider."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from accounts import oidc
from accounts.models import CitizenProfile, IdentityLink, User
from tests.oidc_fake_provider import FakeOidcProvider


@pytest.fixture
def provider(settings):
    fake = FakeOidcProvider().start()
    settings.MPP_OIDC_ISSUER = fake.issuer
    settings.MPP_OIDC_CLIENT_ID = fake.client_id
    settings.MPP_OIDC_CLIENT_SECRET = fake.client_secret
    oidc.reset_caches()
    yield fake
    fake.stop()
    oidc.reset_caches()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _authorize(url: str) -> str:
    """Follow the provider's /authorize (auto-approve); return the redirect it answers with."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(url, timeout=5)
    assert caught.value.code == 302
    return caught.value.headers["Location"]


def _start(client, provider, host, next_url="/"):
    response = client.get("/akun/oidc/masuk/", {"next": next_url})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{provider.issuer}/authorize?")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert params["redirect_uri"] == f"http://{host}/akun/oidc/callback/"
    assert params["code_challenge_method"] == "S256"
    assert params["state"] and params["nonce"]
    back = urllib.parse.urlsplit(_authorize(location))
    assert back.netloc == host
    return back.path, dict(urllib.parse.parse_qsl(back.query))


def _callback(client, path, query):
    return client.get(path, query)


def test_login_page_shows_inapas_only_when_configured(client_a, provider, settings):
    assert "Masuk dengan INApas" in client_a.get("/masuk/?lokal=1").content.decode()
    settings.MPP_OIDC_ISSUER = ""
    assert "Masuk dengan INApas" not in client_a.get("/masuk/?lokal=1").content.decode()
    assert client_a.get("/akun/oidc/masuk/").status_code == 404


def test_first_login_creates_a_verified_account_with_the_nik(client_a, provider):
    provider.claims = {
        "sub": "inapas-777", "name": "Siti Aminah", "email": "siti@example.id",
        "email_verified": True, "phone_number": "+6281255556666", "phone_number_verified": True,
        "nik": "3273014202950003",
    }
    path, query = _start(client_a, provider, "kota-bandung.localhost", next_url="/akun/profil/")
    response = _callback(client_a, path, query)
    assert response.status_code == 302
    assert response["Location"] == "/akun/profil/"
    me = client_a.get("/api/v1/me/").json()
    user = User.objects.get(pk=me["id"])
    assert (user.email, user.phone, user.full_name) == (
        "siti@example.id", "6281255556666", "Siti Aminah")
    assert user.email_verified_at and user.phone_verified_at
    assert not user.has_usable_password()
    assert IdentityLink.objects.get(user=user).subject == "inapas-777"
    profile = CitizenProfile.objects.get(user=user)
    assert (profile.nik, profile.sex, str(profile.birth_date)) == (
        "3273014202950003", "P", "1995-02-02")
    # PKCE: the verifier sent to /token matched the challenge (else no id_token)
    assert provider.token_requests[-1]["code_verifier"]


def test_second_login_uses_the_linked_account_on_another_tenant(client_a, client_b, provider):
    provider.claims = {"sub": "inapas-1", "name": "Budi", "email": "budi@example.id",
                       "email_verified": True}
    _callback(client_a, *_start(client_a, provider, "kota-bandung.localhost"))
    first = client_a.get("/api/v1/me/").json()["id"]
    response = _callback(client_b, *_start(client_b, provider, "kab-sragen.localhost"))
    assert response.status_code == 302
    assert client_b.get("/api/v1/me/").json()["id"] == first
    assert User.objects.filter(email="budi@example.id").count() == 1


def test_logged_in_account_gets_linked(client_a, provider, user_factory):
    user = user_factory(email="ani@example.id")
    client_a.force_login(user)
    provider.claims = {"sub": "inapas-ani", "name": "Ani", "nik": "3273010101900001"}
    response = _callback(client_a, *_start(client_a, provider, "kota-bandung.localhost"))
    assert response.status_code == 302
    assert IdentityLink.objects.get(subject="inapas-ani").user == user
    assert CitizenProfile.objects.get(user=user).nik == "3273010101900001"
    # next time INApas logs straight into that account
    client_a.logout()
    _callback(client_a, *_start(client_a, provider, "kota-bandung.localhost"))
    assert client_a.get("/api/v1/me/").json()["id"] == user.pk


def test_existing_email_is_not_taken_over(client_a, provider, user_factory):
    user_factory(email="ada@example.id")
    provider.claims = {"sub": "inapas-x", "email": "ada@example.id", "email_verified": True}
    response = _callback(client_a, *_start(client_a, provider, "kota-bandung.localhost"))
    assert response.status_code == 400
    assert "sudah terdaftar di MPP Digital" in response.content.decode()
    assert client_a.get("/api/v1/me/").status_code == 401
    assert not IdentityLink.objects.exists()


def test_bad_state_is_refused(client_a, provider):
    path, query = _start(client_a, provider, "kota-bandung.localhost")
    response = _callback(client_a, path, {**query, "state": "forged"})
    assert response.status_code == 400
    assert "Sesi masuk INApas tidak dikenali" in response.content.decode()
    assert client_a.get("/api/v1/me/").status_code == 401
    # a callback without any flow started is refused too
    assert _callback(client_a, path, query).status_code == 400


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("wrong_nonce", "Token identitas dari INApas tidak sah"),
        ("bad_signature", "Token identitas dari INApas tidak sah"),
        ("wrong_audience", "Token identitas dari INApas tidak sah"),
        ("expired", "Token identitas dari INApas sudah kedaluwarsa"),
    ],
)
def test_bad_id_tokens_are_refused(client_a, provider, mode, message):
    provider.claims = {"sub": "inapas-bad", "email": "bad@example.id", "email_verified": True}
    provider.mode = mode
    response = _callback(client_a, *_start(client_a, provider, "kota-bandung.localhost"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client_a.get("/api/v1/me/").status_code == 401
    assert not User.objects.filter(email="bad@example.id").exists()


def test_wrong_pkce_verifier_is_refused_by_the_provider(client_a, provider):
    path, query = _start(client_a, provider, "kota-bandung.localhost")
    session = client_a.session
    session[oidc.SESSION_KEY]["verifier"] = "tampered"
    session.save()
    response = _callback(client_a, path, query)
    assert response.status_code == 400
    assert "menolak kode otorisasi" in response.content.decode()
    assert client_a.get("/api/v1/me/").status_code == 401
