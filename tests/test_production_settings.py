"""Production settings: `check --deploy` clean, CSP without inline script, security headers,
JSON logs by default, Sentry only with a DSN (and NIK scrubbed), private media."""

from __future__ import annotations

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from core.security import NIK_REPLACEMENT, scrub_event

ROOT = Path(__file__).resolve().parents[1]
DUMMY_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://mpp:secret@127.0.0.1:5432/mpp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "MPP_BASE_DOMAIN": "mpp.example.id",
}


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_", "AWS_"))}
    env.update(DUMMY_ENV, **extra_env)
    env.pop("MEDIA_STORAGE", None)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )


def test_check_deploy_is_clean():
    result = _manage("check", "--deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    # no deployment (security.*) finding at all; other apps' warnings are not this test's job
    assert "security." not in result.stdout + result.stderr, result.stdout + result.stderr
    tagged = _manage("check", "--deploy", "--tag", "security", "--fail-level", "WARNING")
    assert tagged.returncode == 0, tagged.stdout + tagged.stderr
    assert "no issues" in tagged.stdout


def test_check_deploy_is_clean_with_s3_media():
    result = _manage(
        "check", "--deploy", "--tag", "security", "--fail-level", "WARNING",
        MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="mpp-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.id",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_media_storage_is_refused():
    result = _manage("check", MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "MEDIA_STORAGE" in result.stderr


@pytest.fixture
def production(monkeypatch):
    """The production settings module, imported with dummy env (then forgotten)."""

    def _load(**extra: str):
        for key in ("DJANGO_LOG_FORMAT", "SENTRY_DSN", "MEDIA_STORAGE"):
            monkeypatch.delenv(key, raising=False)
        for key, value in {**DUMMY_ENV, **extra}.items():
            if key != "DJANGO_SETTINGS_MODULE":
                monkeypatch.setenv(key, value)
        sys.modules.pop("config.settings.production", None)
        try:
            return importlib.import_module("config.settings.production")
        finally:
            sys.modules.pop("config.settings.production", None)

    return _load


def test_production_settings_values(production):
    prod = production()
    assert prod.DEBUG is False
    assert prod.X_FRAME_OPTIONS == "DENY"
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert not any("*" in origin for origin in prod.CSRF_TRUSTED_ORIGINS)
    assert prod.LOGGING["handlers"]["console"]["formatter"] == "json"
    script_src = prod.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert script_src == ["'self'"]
    assert prod.STORAGES["default"]["BACKEND"] == (
        "django_tenants.files.storage.TenantFileSystemStorage"
    )


def test_text_logs_on_request_and_s3_storage(production):
    prod = production(DJANGO_LOG_FORMAT="text", MEDIA_STORAGE="s3",
                      AWS_STORAGE_BUCKET_NAME="mpp-media")
    assert prod.LOGGING["handlers"]["console"]["formatter"] == "text"
    default = prod.STORAGES["default"]
    assert default["BACKEND"] == "core.storage.TenantS3Storage"
    assert default["OPTIONS"]["default_acl"] is None
    assert default["OPTIONS"]["querystring_auth"] is True


def test_sentry_only_with_a_dsn(production, monkeypatch):
    import core.security

    calls = []
    monkeypatch.setattr(core.security, "sentry_init", lambda **kw: calls.append(kw))
    production()
    assert calls == []
    production(SENTRY_DSN="https://key@sentry.example.id/1")
    assert len(calls) == 1
    assert calls[0]["dsn"] == "https://key@sentry.example.id/1"


def test_sentry_events_lose_nik_looking_numbers():
    nik = "3273010101900001"
    event = {
        "message": f"gagal memproses NIK {nik}",
        "exception": {"values": [{"value": f"ValueError('{nik}')"}]},
        "extra": {"nik": int(nik), "nomor": "12345678901234567", "ok": "1234567890123456x"},
        "breadcrumbs": {"values": [{"message": f"POST nik={nik}"}]},
        "request": {"data": {nik: "as key"}},
    }
    scrubbed = scrub_event(event, {})
    text = repr(scrubbed)
    assert nik not in text
    assert scrubbed["message"] == f"gagal memproses NIK {NIK_REPLACEMENT}"
    assert scrubbed["extra"]["nik"] == NIK_REPLACEMENT
    assert scrubbed["extra"]["nomor"] == "12345678901234567"  # 17 digits: not a NIK


def test_page_response_carries_csp_and_security_headers(production, client_a):
    prod = production()
    with override_settings(
        MIDDLEWARE=prod.MIDDLEWARE,
        CONTENT_SECURITY_POLICY=prod.CONTENT_SECURITY_POLICY,
        SECURE_REFERRER_POLICY=prod.SECURE_REFERRER_POLICY,
        X_FRAME_OPTIONS=prod.X_FRAME_OPTIONS,
    ):
        response = client_a.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    # and the page itself has no inline script
    body = response.content.decode()
    assert "<script>" not in body
    assert all("src=" in tag for tag in body.split("<script")[1:])


def test_maintenance_page_of_a_suspended_tenant_carries_csp(production, client_a, tenant_a):
    from tenants.lifecycle import tenant_suspend

    prod = production()
    tenant_suspend(tenant=tenant_a, actor="test", reason="csp test")
    with override_settings(MIDDLEWARE=prod.MIDDLEWARE,
                           CONTENT_SECURITY_POLICY=prod.CONTENT_SECURITY_POLICY):
        response = client_a.get("/")
    assert response.status_code == 503
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/media/kota_bandung/x.pdf", "/media/"])
def test_media_is_never_served_by_url(client_a, platform_client, path):
    assert client_a.get(path).status_code == 404
    assert platform_client.get(path).status_code == 404
