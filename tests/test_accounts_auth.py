"""Registration, contact verification by one-time code, password reset, login lockout."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts import sms
from accounts.models import OneTimeCode, User
from accounts.selectors import user_is_verified
from accounts.services import CodeInvalid, one_time_code_verify

PASSWORD = "Kuat-sekali-2026"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.MPP_SMS_BACKEND = "accounts.sms.LocmemSmsGateway"
    cache.clear()
    sms.outbox.clear()
    yield
    cache.clear()
    sms.outbox.clear()


def _code_from(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _register(client, contact, capture, **extra):
    data = {"full_name": "Rina Marlina", "contact": contact, "password1": PASSWORD,
            "password2": PASSWORD, **extra}
    with capture(execute=True):
        return client.post("/akun/daftar/", data)


def test_register_by_email_then_verify_with_the_code(
    client_a, django_capture_on_commit_callbacks
):
    # when a citizen registers with an email address
    response = _register(client_a, "rina@example.id", django_capture_on_commit_callbacks)
    # then an unverified account exists, is logged in, and a code went out by email
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/verifikasi/?kanal=email")
    user = User.objects.get(email="rina@example.id")
    assert user.email_verified_at is None
    assert not user_is_verified(user)
    assert len(mail.outbox) == 1
    code = _code_from(mail.outbox[0].body)
    # the code is only hashed at rest, and the sealed copy is wiped once sent
    row = OneTimeCode.objects.get(user=user)
    assert code not in (row.code_hash, row.salt, row.sealed)
    assert row.sealed == "" and row.sent_at is not None
    # the profile shows a banner until verified
    assert "belum diverifikasi" in client_a.get("/akun/profil/").content.decode()
    # when the code is entered
    verified = client_a.post("/akun/verifikasi/", {"kanal": "email", "code": code})
    # then the email is verified
    assert verified.status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert user_is_verified(user)
    assert "belum diverifikasi" not in client_a.get("/akun/profil/").content.decode()


def test_register_by_phone_on_platform_and_use_the_account_on_both_tenants(
    platform_client, client_a, client_b, django_capture_on_commit_callbacks
):
    response = _register(platform_client, "0812-7777-1234", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get(phone="6281277771234")
    assert user.email is None
    assert [m.to for m in sms.outbox] == ["6281277771234"]
    code = _code_from(sms.outbox[0].message)
    assert platform_client.post("/akun/verifikasi/", {"code": code}).status_code == 302
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    # the same global account logs in on both tenant hosts
    for client in (client_a, client_b):
        login = client.post("/masuk/", {"identifier": "+62 812 7777 1234", "password": PASSWORD})
        assert login.status_code == 302
        assert client.get("/api/v1/me/").json()["id"] == user.pk
        assert client.get("/akun/profil/").status_code == 200


@pytest.mark.parametrize(
    ("contact", "password", "message"),
    [
        ("0211234", PASSWORD, "Nomor ponsel tidak valid"),
        ("rina@", PASSWORD, "Alamat email tidak valid"),
        ("rina2@example.id", "12345678", "kata sandi ini terlalu umum"),
        ("taken@example.id", PASSWORD, "Email ini sudah terdaftar pada akun lain"),
    ],
)
def test_registration_errors_are_specific_and_keep_typed_values(
    client_a, user_factory, contact, password, message
):
    user_factory(email="taken@example.id")
    response = client_a.post("/akun/daftar/", {
        "full_name": "Rina Marlina", "contact": contact, "password1": password,
        "password2": password,
    })
    body = response.content.decode()
    assert response.status_code == 400
    assert message.lower() in body.lower()
    assert 'value="Rina Marlina"' in body
    assert f'value="{contact}"' in body
    assert f'value="{password}"' not in body


def test_mismatched_passwords(client_a):
    response = client_a.post("/akun/daftar/", {
        "full_name": "Rina", "contact": "r@example.id", "password1": PASSWORD,
        "password2": PASSWORD + "x",
    })
    assert "Kedua kata sandi tidak sama" in response.content.decode()
    assert not User.objects.filter(email="r@example.id").exists()


def test_wrong_codes_count_down_then_the_code_is_dead(
    client_a, django_capture_on_commit_callbacks
):
    _register(client_a, "salah@example.id", django_capture_on_commit_callbacks)
    user = User.objects.get(email="salah@example.id")
    code = _code_from(mail.outbox[0].body)
    wrong = "000000" if code != "000000" else "111111"
    for remaining in (4, 3, 2, 1):
        with pytest.raises(CodeInvalid, match=f"Sisa percobaan: {remaining}"):
            one_time_code_verify(user=user, purpose="verify", channel="email", code=wrong)
    with pytest.raises(CodeInvalid, match="sudah 5 kali salah"):
        one_time_code_verify(user=user, purpose="verify", channel="email", code=wrong)
    # even the right code no longer works
    with pytest.raises(CodeInvalid, match="sudah 5 kali salah"):
        one_time_code_verify(user=user, purpose="verify", channel="email", code=code)
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_wrong_code_on_the_page_says_so(client_a, django_capture_on_commit_callbacks):
    _register(client_a, "p@example.id", django_capture_on_commit_callbacks)
    code = _code_from(mail.outbox[0].body)
    wrong = "000000" if code != "000000" else "111111"
    response = client_a.post("/akun/verifikasi/", {"kanal": "email", "code": wrong})
    assert response.status_code == 400
    assert "Kode salah. Sisa percobaan: 4." in response.content.decode()


def test_expired_code_is_refused(client_a, django_capture_on_commit_callbacks):
    _register(client_a, "lama@example.id", django_capture_on_commit_callbacks)
    code = _code_from(mail.outbox[0].body)
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client_a.post("/akun/verifikasi/", {"kanal": "email", "code": code})
    assert response.status_code == 400
    assert "Kode sudah kedaluwarsa" in response.content.decode()
    assert User.objects.get(email="lama@example.id").email_verified_at is None


def test_codes_expire_after_ten_minutes(client_a, django_capture_on_commit_callbacks):
    _register(client_a, "ttl@example.id", django_capture_on_commit_callbacks)
    row = OneTimeCode.objects.get(user__email="ttl@example.id")
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)


def test_resend_is_throttled_for_sixty_seconds_and_revokes_the_old_code(
    client_a, django_capture_on_commit_callbacks
):
    _register(client_a, "ulang@example.id", django_capture_on_commit_callbacks)
    first = _code_from(mail.outbox[0].body)
    # when asking again at once
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post("/akun/verifikasi/kirim-ulang/", {"kanal": "email"}, follow=True)
    assert "Kode baru bisa diminta lagi dalam" in response.content.decode()
    assert len(mail.outbox) == 1
    # when a minute has passed
    OneTimeCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post("/akun/verifikasi/kirim-ulang/", {"kanal": "email"})
    assert len(mail.outbox) == 2
    second = _code_from(mail.outbox[1].body)
    if first != second:
        refused = client_a.post("/akun/verifikasi/", {"kanal": "email", "code": first})
        assert "Tidak ada kode yang berlaku" in refused.content.decode() or refused.status_code == 400
    assert client_a.post("/akun/verifikasi/", {"kanal": "email", "code": second}).status_code == 302


def test_login_lockout_after_five_failures_holds_across_tenant_hosts(
    client_a, client_b, user_factory
):
    user_factory(email="kunci@example.id")
    for attempt in range(1, 5):
        response = client_a.post("/masuk/", {"identifier": "kunci@example.id", "password": "x"})
        assert response.status_code == 400, attempt
    fifth = client_a.post("/masuk/", {"identifier": "KUNCI@example.id", "password": "x"})
    assert fifth.status_code == 429
    assert "Terlalu banyak percobaan masuk. Coba lagi dalam 15 menit." in fifth.content.decode()
    assert 'value="KUNCI@example.id"' in fifth.content.decode()
    # the right password is refused too, on another tenant's host
    other_host = client_b.post(
        "/masuk/", {"identifier": "kunci@example.id", "password": "rahasia-123"}
    )
    assert other_host.status_code == 429
    assert "Terlalu banyak percobaan masuk" in other_host.content.decode()
    assert client_b.get("/api/v1/me/").status_code in (401, 403)
    # another account from the same address is not affected
    user_factory(email="lain@example.id")
    assert client_a.post(
        "/masuk/", {"identifier": "lain@example.id", "password": "rahasia-123"}
    ).status_code == 302


def test_ip_lockout_after_twenty_failures(user_factory):
    user_factory(email="korban@example.id")
    client = Client(HTTP_HOST="kota-bandung.localhost", REMOTE_ADDR="10.9.8.7")
    for n in range(20):
        client.post("/masuk/", {"identifier": f"tebak{n}@example.id", "password": "x"})
    response = client.post("/masuk/", {"identifier": "korban@example.id", "password": "rahasia-123"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()


def test_successful_login_resets_the_failure_count(client_a, user_factory):
    user_factory(email="lupa@example.id")
    for _ in range(4):
        client_a.post("/masuk/", {"identifier": "lupa@example.id", "password": "x"})
    assert client_a.post(
        "/masuk/", {"identifier": "lupa@example.id", "password": "rahasia-123"}
    ).status_code == 302
    client_a.logout()
    for _ in range(4):
        assert client_a.post(
            "/masuk/", {"identifier": "lupa@example.id", "password": "x"}
        ).status_code == 400


def _phone_only_user() -> User:
    return User.objects.create_user(phone="6281399990000", full_name="Dedi", password="lama-123456")


def test_password_reset_by_code_for_a_phone_only_user(client_b, django_capture_on_commit_callbacks):
    user = _phone_only_user()
    # when asking for a code with the phone number
    with django_capture_on_commit_callbacks(execute=True):
        response = client_b.post("/akun/lupa-sandi/", {"identifier": "0813-9999-0000"})
    assert response.status_code == 302
    assert response["Location"] == "/akun/lupa-sandi/atur/"
    assert len(sms.outbox) == 1 and sms.outbox[0].to == "6281399990000"
    code = _code_from(sms.outbox[0].message)
    # the form remembers the identifier
    assert 'value="0813-9999-0000"' in client_b.get("/akun/lupa-sandi/atur/").content.decode()
    # a weak password is refused without using up the code
    weak = client_b.post("/akun/lupa-sandi/atur/", {
        "identifier": "0813-9999-0000", "code": code, "password1": "123", "password2": "123",
    })
    assert weak.status_code == 400
    assert "terlalu pendek" in weak.content.decode()
    done = client_b.post("/akun/lupa-sandi/atur/", {
        "identifier": "0813-9999-0000", "code": code, "password1": "Sandi-baru-99",
        "password2": "Sandi-baru-99",
    })
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Sandi-baru-99")
    assert user.phone_verified_at is not None
    assert client_b.post(
        "/masuk/", {"identifier": "081399990000", "password": "Sandi-baru-99"}
    ).status_code == 302
    # the code cannot be used twice
    client_b.logout()
    again = client_b.post("/akun/lupa-sandi/atur/", {
        "identifier": "0813-9999-0000", "code": code, "password1": "Sandi-lain-77",
        "password2": "Sandi-lain-77",
    })
    assert again.status_code == 400


def test_password_reset_does_not_reveal_unknown_accounts(client_a):
    response = client_a.post("/akun/lupa-sandi/", {"identifier": "siapa@example.id"}, follow=True)
    assert "Jika email/nomor ponsel itu terdaftar" in response.content.decode()
    assert mail.outbox == []


def test_code_endpoints_lock_out_after_repeated_failures(
    client_a, django_capture_on_commit_callbacks
):
    _phone_only_user()
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post("/akun/lupa-sandi/", {"identifier": "081399990000"})
    code = _code_from(sms.outbox[0].message)
    wrong = "000000" if code != "000000" else "111111"
    data = {"identifier": "081399990000", "code": wrong, "password1": "Sandi-baru-99",
            "password2": "Sandi-baru-99"}
    for _ in range(5):
        assert client_a.post("/akun/lupa-sandi/atur/", data).status_code == 400
    response = client_a.post("/akun/lupa-sandi/atur/", {**data, "code": code})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan kode. Coba lagi dalam 15 menit." in response.content.decode()
    # asking for new codes is refused as well while locked
    assert client_a.post("/akun/lupa-sandi/", {"identifier": "081399990000"}).status_code == 429


def test_http_sms_gateway_posts_json_with_the_token(settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(202)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.MPP_SMS_BACKEND = "accounts.sms.HttpSmsGateway"
        settings.MPP_SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
        settings.MPP_SMS_HTTP_TOKEN = "tok-123"
        sms.send_sms("6281200000000", "Kode: 123456")
    finally:
        server.shutdown()
        server.server_close()
    assert received == [
        ("Bearer tok-123", {"to": "6281200000000", "message": "Kode: 123456", "channel": "sms"})
    ]


def test_http_sms_gateway_failure_raises_for_retry(settings):
    settings.MPP_SMS_BACKEND = "accounts.sms.HttpSmsGateway"
    settings.MPP_SMS_HTTP_URL = "http://127.0.0.1:9/unreachable"
    with pytest.raises(sms.SmsSendError):
        sms.send_sms("6281200000000", "x")


def test_banner_context_flags_unverified_accounts(rf, user_factory):
    from django.contrib.auth.models import AnonymousUser

    from accounts.context_processors import account_status

    request = rf.get("/")
    request.user = AnonymousUser()
    assert account_status(request) == {"account_unverified": False}
    request.user = user_factory(email="baru@example.id")
    assert account_status(request) == {"account_unverified": True}
    User.objects.filter(pk=request.user.pk).update(email_verified_at=timezone.now())
    request.user.refresh_from_db()
    assert account_status(request) == {"account_unverified": False}


def test_unverified_login_gets_a_reminder(client_a, user_factory):
    user_factory(email="belum@example.id")
    response = client_a.post(
        "/masuk/", {"identifier": "belum@example.id", "password": "rahasia-123"}, follow=True
    )
    assert "belum diverifikasi" in response.content.decode()
