"""The tenant as an OpenID Connect provider: a fake OPD relying party runs the authorization
code flow with PKCE through the Django test client and checks what it receives."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.utils.html import escape

from .conftest import REDIRECT_URI, basic_auth, pkce_pair


class FakeRelyingParty:
    """What an OPD application does: discovery, authorize (PKCE S256, state, nonce), code
    exchange with client authentication, ID token verification against the JWKS, userinfo."""

    def __init__(self, http: Any, rp: Any) -> None:
        self.http = http
        self.rp = rp
        self.config = http.get("/o/.well-known/openid-configuration").json()

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path

    def authorize(self, scopes: list[str], *, consent: bool = True) -> dict[str, Any]:
        verifier, challenge = pkce_pair()
        state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        params = {
            "response_type": "code", "client_id": self.rp.client_id,
            "redirect_uri": REDIRECT_URI, "scope": " ".join(scopes), "state": state,
            "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
        }
        response = self.http.get(self._path(self.config["authorization_endpoint"]), params)
        consent_page = response.status_code == 200
        if consent_page:
            assert consent, "consent screen shown unexpectedly"
            self.consent_html = response.content.decode()
            response = self.http.post(self._path(self.config["authorization_endpoint"]),
                                      {**params, "allow": "Authorize"})
        assert response.status_code == 302, response.content[:500]
        location = response["Location"]
        assert location.startswith(REDIRECT_URI)
        query = parse_qs(urlsplit(location).query)
        assert query["state"] == [state]
        assert query["iss"] == [self.config["issuer"]]
        return {"code": query["code"][0], "verifier": verifier, "nonce": nonce,
                "consent_page": consent_page,
                "consent_html": self.consent_html if consent_page else ""}

    def exchange(self, code: str, verifier: str | None) -> Any:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
        if verifier is not None:
            data["code_verifier"] = verifier
        return self.http.post(
            self._path(self.config["token_endpoint"]), data,
            HTTP_AUTHORIZATION=basic_auth(self.rp.client_id, self.rp.client_secret),
        )

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        jwks = self.http.get(self._path(self.config["jwks_uri"])).json()
        kid = jwt.get_unverified_header(id_token)["kid"]
        key = next(k for k in jwks["keys"] if k["kid"] == kid)
        claims = jwt.decode(
            id_token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=self.rp.client_id,
            issuer=self.config["issuer"],
        )
        assert claims["nonce"] == nonce
        return claims

    def login(self, scopes: list[str], *, consent: bool = True) -> dict[str, Any]:
        grant = self.authorize(scopes, consent=consent)
        response = self.exchange(grant["code"], grant["verifier"])
        assert response.status_code == 200, response.content
        tokens = response.json()
        claims = self.verify_id_token(tokens["id_token"], grant["nonce"])
        userinfo = self.http.get(
            self._path(self.config["userinfo_endpoint"]),
            HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
        ).json()
        return {"claims": claims, "userinfo": userinfo, "tokens": tokens, **grant}


PROTOCOL_CLAIMS = {"aud", "iss", "exp", "iat", "auth_time", "jti", "nonce", "at_hash"}


def test_discovery_names_the_tenant_host_as_issuer(client_a, tenant_a):
    config = client_a.get("/o/.well-known/openid-configuration").json()
    # given tenant A's host, the issuer is that host + /o
    assert config["issuer"] == "http://kota-bandung.localhost/o"
    assert config["subject_types_supported"] == ["pairwise"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "nik" in config["claims_supported"]


def test_code_flow_with_pkce_releases_only_granted_claims(
    client_a, tenant_a, agency_a, citizen, make_rp
):
    # given an OPD app allowed openid+profile (not email, not nik) and a logged-in citizen
    rp = make_rp(tenant_a, agency_a, scopes=["openid", "profile"])
    client_a.force_login(citizen)
    result = FakeRelyingParty(client_a, rp).login(["openid", "profile"])
    # then the ID token and userinfo carry sub + name only
    assert set(result["claims"]) - PROTOCOL_CLAIMS == {"sub", "name"}
    assert result["claims"]["name"] == citizen.full_name
    assert set(result["userinfo"]) == {"sub", "name"}
    assert result["claims"]["sub"] != str(citizen.pk)
    # and the consent screen listed exactly that
    assert escape(citizen.full_name) in result["consent_html"]
    assert "NIK: <strong>" not in result["consent_html"]
    assert "Email: <strong>" not in result["consent_html"]


def test_scope_not_granted_to_the_client_is_refused(client_a, tenant_a, agency_a, citizen,
                                                    make_rp):
    rp = make_rp(tenant_a, agency_a, scopes=["openid", "profile"])
    client_a.force_login(citizen)
    _verifier, challenge = pkce_pair()
    response = client_a.get("/o/authorize/", {
        "response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid nik", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    assert response.status_code == 302
    assert "error=invalid_scope" in response["Location"]


def test_pkce_is_required(client_a, tenant_a, agency_a, citizen, make_rp):
    rp = make_rp(tenant_a, agency_a)
    client_a.force_login(citizen)
    response = client_a.get("/o/authorize/", {
        "response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid", "state": "s",
    })
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]
    # and a code cannot be redeemed without the verifier
    grant = FakeRelyingParty(client_a, rp).authorize(["openid"])
    assert FakeRelyingParty(client_a, rp).exchange(grant["code"], None).status_code == 400


def test_pairwise_subjects_differ_between_clients_and_are_stable(
    client_a, tenant_a, agency_a, citizen, make_rp
):
    first = make_rp(tenant_a, agency_a, name="SiCantik")
    second = make_rp(tenant_a, agency_a, name="SIMPEG")
    client_a.force_login(citizen)
    sub_1 = FakeRelyingParty(client_a, first).login(["openid"])["claims"]["sub"]
    sub_2 = FakeRelyingParty(client_a, second).login(["openid"])["claims"]["sub"]
    again = FakeRelyingParty(client_a, first).login(["openid"], consent=False)["claims"]["sub"]
    assert sub_1 != sub_2
    assert again == sub_1


def test_nik_claim_only_with_the_nik_scope(client_a, tenant_a, agency_a, citizen, make_rp):
    from .conftest import NIK

    with_nik = make_rp(tenant_a, agency_a, scopes=["openid", "nik"], name="Dukcapil")
    without = make_rp(tenant_a, agency_a, scopes=["openid", "profile"], name="Perizinan")
    client_a.force_login(citizen)
    granted = FakeRelyingParty(client_a, with_nik).login(["openid", "nik"])
    assert granted["claims"]["nik"] == NIK
    assert granted["userinfo"]["nik"] == NIK
    assert "NIK: <strong>" in granted["consent_html"]
    assert NIK not in granted["consent_html"]  # masked on screen
    # a client that may ask for nik but did not → no nik
    only_openid = FakeRelyingParty(client_a, with_nik).login(["openid"])
    assert "nik" not in only_openid["claims"]
    # a client without the nik scope never gets it
    assert "nik" not in FakeRelyingParty(client_a, without).login(["openid", "profile"])["claims"]


def test_sso_second_visit_needs_no_login_and_no_consent(client_a, tenant_a, agency_a, citizen,
                                                        make_rp):
    rp = make_rp(tenant_a, agency_a)
    client_a.force_login(citizen)
    FakeRelyingParty(client_a, rp).login(["openid", "profile"])
    again = FakeRelyingParty(client_a, rp).login(["openid", "profile"], consent=False)
    assert again["consent_page"] is False


def test_anonymous_citizen_is_sent_to_the_portal_login(client_a, tenant_a, agency_a, make_rp):
    rp = make_rp(tenant_a, agency_a)
    _verifier, challenge = pkce_pair()
    response = client_a.get("/o/authorize/", {
        "response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256",
    })
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")


def test_key_rotation_keeps_earlier_tokens_verifiable(client_a, tenant_a, agency_a, citizen,
                                                      make_rp, in_tenant):
    from integrations.keys import signing_key_rotate

    rp = make_rp(tenant_a, agency_a)
    client_a.force_login(citizen)
    party = FakeRelyingParty(client_a, rp)
    before = party.login(["openid"])
    old_kid = jwt.get_unverified_header(before["tokens"]["id_token"])["kid"]
    with in_tenant(tenant_a):
        new_key = signing_key_rotate()
    # the JWKS publishes both keys; the old token still verifies, new tokens use the new key
    kids = [k["kid"] for k in client_a.get("/o/.well-known/jwks.json").json()["keys"]]
    assert kids == [new_key.kid, old_kid]
    party.verify_id_token(before["tokens"]["id_token"], before["nonce"])
    after = party.login(["openid"], consent=False)
    assert jwt.get_unverified_header(after["tokens"]["id_token"])["kid"] == new_key.kid
    # a second rotation retires the first key
    with in_tenant(tenant_a):
        signing_key_rotate()
    kids = [k["kid"] for k in client_a.get("/o/.well-known/jwks.json").json()["keys"]]
    assert old_kid not in kids and len(kids) == 2


def test_rotate_keys_command(tenant_a, in_tenant):
    from django.core.management import call_command

    from integrations.keys import signing_key_current

    with in_tenant(tenant_a):
        before = signing_key_current().kid
    call_command("rotate_oidc_keys", "--schema", tenant_a.schema_name)
    with in_tenant(tenant_a):
        assert signing_key_current().kid != before


def test_tenant_b_does_not_know_tenant_a_clients(client_a, client_b, tenant_a, agency_a,
                                                 citizen, make_rp):
    rp = make_rp(tenant_a, agency_a)
    client_b.force_login(citizen)
    _verifier, challenge = pkce_pair()
    response = client_b.get("/o/authorize/", {
        "response_type": "code", "client_id": rp.client_id, "redirect_uri": REDIRECT_URI,
        "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256",
    })
    assert response.status_code == 400  # invalid client_id: shown, never redirected
    # and tenant A's client secret is useless at tenant B's token endpoint
    token = client_b.post("/o/token/", {"grant_type": "client_credentials",
                                        "scope": "status:write"},
                          HTTP_AUTHORIZATION=basic_auth(rp.client_id, rp.client_secret))
    assert token.status_code == 401
    assert json.loads(token.content)["error"] == "invalid_client"


@pytest.mark.parametrize("path", ["/o/.well-known/openid-configuration", "/o/authorize/"])
def test_no_provider_on_the_platform_host(platform_client, path):
    assert platform_client.get(path).status_code == 404
