"""National API tokens: scopes, platform host only, revocation/expiry, per-token rate limits,
the secret shown once, OpenAPI."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.models import ApiToken, Scope
from api.services import api_token_create, api_token_mark_used, api_token_revoke

TENANTS = "/api/v1/monitoring/tenants/"
SUMMARY = "/api/v1/monitoring/summary/"
CATALOG = "/api/v1/catalog/services/"
OPEN_DATA = "/api/v1/open-data/kpis/"


@pytest.fixture
def make_token(db):
    def _make(scopes=(Scope.MONITORING_READ,), rate=120, **kwargs):
        return api_token_create(name="Dasbor nasional", scopes=list(scopes),
                                rate_per_minute=rate, actor=None, **kwargs)

    return _make


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "extra"}
    assert body["code"] == code, body
    return body


def test_token_with_scope_reads_monitoring(platform_client, make_token, tenant_a, tenant_b):
    token, secret = make_token()
    response = platform_client.get(TENANTS, {"q": "32.73"}, **bearer(secret))
    assert response.status_code == 200, response.content
    assert [row["region_code"] for row in response.json()["results"]] == ["32.73"]
    summary = platform_client.get(SUMMARY, **bearer(secret))
    assert summary.status_code == 200
    assert summary.json()["national"]["tenants"] >= 2
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_owned_token_acts_as_owner_but_scopes_bound_it(platform_client, make_token,
                                                       user_factory):
    ministry = user_factory(ministry_role="viewer")
    _token, with_scope = make_token(owner=ministry)
    assert platform_client.get(SUMMARY, **bearer(with_scope)).status_code == 200
    # the owner may read monitoring, but this token was not granted it
    _token, without = make_token(scopes=[Scope.CATALOG_READ], owner=ministry)
    assert_error(platform_client.get(SUMMARY, **bearer(without)), 403, "insufficient_scope")


def test_token_without_scope_is_forbidden(platform_client, make_token):
    _token, secret = make_token(scopes=[Scope.CATALOG_READ, Scope.OPEN_DATA_READ])
    for url in (TENANTS, SUMMARY):
        body = assert_error(platform_client.get(url, **bearer(secret)), 403,
                            "insufficient_scope")
        assert "monitoring:read" in body["message"]


def test_revoked_expired_and_unknown_tokens_are_refused(platform_client, make_token):
    revoked, revoked_secret = make_token()
    api_token_revoke(token=revoked, actor=None)
    body = assert_error(platform_client.get(SUMMARY, **bearer(revoked_secret)), 401,
                        "token_revoked")
    assert body["message"]

    expired, expired_secret = make_token()
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    assert_error(platform_client.get(SUMMARY, **bearer(expired_secret)), 401, "token_expired")

    _token, good = make_token()
    prefix = good.split("_")[1]
    for unknown in (good[:-2] + "xx", f"mpp_{prefix}_", "mpp_nope", "mpp_00000000_abc"):
        response = platform_client.get(SUMMARY, **bearer(unknown))
        assert_error(response, 401, "invalid_token")
        assert response["WWW-Authenticate"] == "Bearer"


def test_revoke_is_idempotent(make_token, user_factory):
    token, _secret = make_token()
    operator = user_factory(is_staff=True)
    api_token_revoke(token=token, actor=operator)
    first = token.revoked_at
    api_token_revoke(token=token, actor=None)
    token.refresh_from_db()
    assert token.revoked_at == first
    assert token.revoked_by == operator


def test_token_owner_inactive_is_refused(platform_client, make_token, user_factory):
    owner = user_factory(ministry_role="viewer", is_active=False)
    _token, secret = make_token(owner=owner)
    assert_error(platform_client.get(SUMMARY, **bearer(secret)), 401, "token_owner_inactive")


def test_national_token_does_not_work_on_tenant_hosts(client_a, make_token):
    token, secret = make_token(scopes=list(Scope.values))
    assert client_a.get(TENANTS, **bearer(secret)).status_code == 404  # platform-only route
    for url in (CATALOG, "/api/v1/me/"):
        response = client_a.get(url, **bearer(secret))
        assert response.status_code == 401, (url, response.content)
        assert set(response.json()) == {"code", "message", "extra"}
    token.refresh_from_db()
    assert token.last_used_at is None
    assert token.revoked_at is None
    # the tenant's catalogue still answers anonymous readers
    assert client_a.get(CATALOG).status_code == 200


def test_rate_limit_per_token(platform_client, make_token):
    _token, secret = make_token(rate=3)
    _other, other_secret = make_token(rate=3)
    for _ in range(3):
        assert platform_client.get(SUMMARY, **bearer(secret)).status_code == 200
    body = assert_error(platform_client.get(SUMMARY, **bearer(secret)), 429, "throttled")
    assert 0 < body["extra"]["retry_after_seconds"] <= 60
    # another token has its own budget
    assert platform_client.get(SUMMARY, **bearer(other_secret)).status_code == 200


def test_public_endpoints_stay_anonymous_and_tokens_get_their_own_limit(platform_client,
                                                                        make_token):
    assert platform_client.get(CATALOG).status_code == 200
    assert platform_client.get(OPEN_DATA).status_code == 200
    _token, secret = make_token(scopes=[Scope.CATALOG_READ, Scope.OPEN_DATA_READ], rate=2)
    assert platform_client.get(CATALOG, **bearer(secret)).status_code == 200
    assert platform_client.get(OPEN_DATA, **bearer(secret)).status_code == 200
    assert_error(platform_client.get(OPEN_DATA, **bearer(secret)), 429, "throttled")
    # anonymous readers are not affected by the token's budget
    assert platform_client.get(OPEN_DATA).status_code == 200
    # a token presented without the endpoint's scope is refused, not silently ignored
    _token, monitoring_only = make_token()
    assert_error(platform_client.get(CATALOG, **bearer(monitoring_only)), 403,
                 "insufficient_scope")
    assert_error(platform_client.get(OPEN_DATA, **bearer(monitoring_only)), 403,
                 "insufficient_scope")
    assert_error(platform_client.get(OPEN_DATA, **bearer("mpp_00000000_x")), 401,
                 "invalid_token")


def test_last_used_at_is_written_at_most_once_a_minute(make_token, django_assert_num_queries):
    token, _secret = make_token()
    now = timezone.now()
    api_token_mark_used(token=token, now=now)
    with django_assert_num_queries(0):
        api_token_mark_used(token=token, now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now
    api_token_mark_used(token=token, now=now + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == now + timedelta(seconds=61)


def test_secret_is_not_stored(make_token):
    token, secret = make_token()
    assert secret.startswith(f"mpp_{token.key_prefix}_")
    assert len(token.key_prefix) == 8
    assert len(secret) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = {f.attname: getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}
    assert not any(secret in str(value) for value in stored.values())
    assert not any(secret.split("_", 2)[2] in str(value) for value in stored.values())


def test_create_rejects_bad_input(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_token_create(name="x", scopes=["monitoring:write"], rate_per_minute=10, actor=None)
    with pytest.raises(ValidationError):
        api_token_create(name="x", scopes=[], rate_per_minute=10, actor=None)
    with pytest.raises(ValidationError):
        api_token_create(name="x", scopes=[Scope.CATALOG_READ], rate_per_minute=0, actor=None)
    with pytest.raises(ValidationError):
        api_token_create(name="x", scopes=[Scope.CATALOG_READ], rate_per_minute=10,
                         expires_at=timezone.now() - timedelta(1), actor=None)
    assert not ApiToken.objects.exists()


def test_create_api_token_command_prints_the_secret_once(platform_client, user_factory):
    owner = user_factory(email="dasbor@menpan.go.id")
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "--name", "Dasbor KemenPAN-RB",
                 "--scope", "monitoring:read", "--scope", "catalog:read", "--rate", "30",
                 "--expires-in-days", "30", "--owner", owner.email, stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("mpp_")
    assert "\n" not in secret
    assert secret not in err.getvalue()
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == ["catalog:read", "monitoring:read"]
    assert token.rate_per_minute == 30
    assert token.owner == owner
    assert token.expires_at is not None
    assert token.display_prefix in err.getvalue()
    assert platform_client.get(SUMMARY, **bearer(secret)).status_code == 200

    with pytest.raises(CommandError):
        call_command("create_api_token", "--name", "x", "--scope", "monitoring:write",
                     stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "--name", "x", "--scope", "catalog:read",
                     "--rate", "0", stdout=StringIO(), stderr=StringIO())


def test_admin_shows_the_secret_once_and_revokes(platform_client, user_factory):
    operator = user_factory(is_staff=True, is_superuser=True)
    platform_client.force_login(operator)
    response = platform_client.post("/admin/api/apitoken/add/", {
        "name": "Satu Data Indonesia", "scopes": ["open_data:read", "catalog:read"],
        "rate_per_minute": "60", "expires_at_0": "", "expires_at_1": "", "owner": "",
    })
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.created_by == operator
    html = response.content.decode()
    field = html.split('id="api-token-secret"', 1)[1]
    secret = field.split('value="', 1)[1].split('"', 1)[0]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()

    listing = platform_client.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    assert token.display_prefix in listing.content.decode()
    assert secret not in listing.content.decode()
    detail = platform_client.get(f"/admin/api/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert secret not in detail.content.decode()

    platform_client.post("/admin/api/apitoken/", {
        "action": "revoke_selected", "_selected_action": [str(token.pk)],
    })
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == operator


def test_openapi_documents_the_national_token(db):
    from drf_spectacular.generators import SchemaGenerator

    public = SchemaGenerator(urlconf="config.urls_public").get_schema(request=None, public=True)
    scheme = public["components"]["securitySchemes"]["nationalToken"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for path in (TENANTS, SUMMARY, CATALOG, OPEN_DATA):
        security = public["paths"][path]["get"]["security"]
        assert {"nationalToken": []} in security, (path, security)
    assert {} in public["paths"][OPEN_DATA]["get"]["security"]
    assert {} in public["paths"][CATALOG]["get"]["security"]
    assert {} not in public["paths"][SUMMARY]["get"]["security"]
