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


def _register(client, contact, capture, *, login=True, **extra):
    """Register; with `login`, sign the new account in (as after the confirmation step) so
    the tests of the logged-in verification page can go on from there."""
    data = {"full_name": "Rina Marlina", "contact": contact, "password1": PASSWORD,
            "password2": PASSWORD, **extra}
    with capture(execute=True):
        response = client.post("/akun/daftar/", data)
    if login:
        user = User.objects.filter(email=contact).first()
        if user is not None:
            client.force_login(user)
    return response


def test_register_by_email_then_confirm_with_the_code(
    client_a, django_capture_on_commit_callbacks
):
    # when a citizen registers with an email address
    response = _register(client_a, "rina@example.id", django_capture_on_commit_callbacks,
                         login=False)
    # then an unverified account exists, a code went out by email, and the confirmation
    # page asks for it (nobody is signed in yet)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/daftar/kode/")
    user = User.objects.get(email="rina@example.id")
    assert user.email_verified_at is None
    assert not user_is_verified(user)
    assert len(mail.outbox) == 1
    code = _code_from(mail.outbox[0].body)
    # the code is only hashed at rest, and the sealed copy is wiped once sent
    row = OneTimeCode.objects.get(user=user)
    assert code not in (row.code_hash, row.salt, row.sealed)
    assert row.sealed == "" and row.sent_at is not None
    page = client_a.get(response["Location"])
    assert "rina@example.id" in page.content.decode()
    assert client_a.get("/api/v1/me/").status_code in (401, 403)
    # when the code is entered
    confirmed = client_a.post("/akun/daftar/kode/", {"code": code, "next": "/layanan/"})
    # then the email is verified and the citizen is signed in
    assert confirmed.status_code == 302 and confirmed["Location"] == "/layanan/"
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert client_a.get("/api/v1/me/").json()["id"] == user.pk
    assert "belum diverifikasi" not in client_a.get("/akun/profil/").content.decode()


def test_unconfirmed_account_sees_the_banner_after_login(
    client_a, django_capture_on_commit_callbacks
):
    _register(client_a, "banner@example.id", django_capture_on_commit_callbacks)
    assert "belum diverifikasi" in client_a.get("/akun/profil/").content.decode()
    code = _code_from(mail.outbox[0].body)
    assert client_a.post("/akun/verifikasi/", {"kanal": "email", "code": code}).status_code == 302
    assert "belum diverifikasi" not in client_a.get("/akun/profil/").content.decode()


def test_registering_a_taken_contact_reveals_nothing_and_tells_its_owner(
    client_a, user_factory, django_capture_on_commit_callbacks
):
    client_b = Client(HTTP_HOST="kota-bandung.localhost")
    # given an account with this email
    owner = user_factory(email="taken@example.id", full_name="Pemilik Asli")
    # when someone registers it again, and someone else registers a new address
    taken = _register(client_a, "taken@example.id", django_capture_on_commit_callbacks,
                      login=False)
    fresh = _register(client_b, "baru@example.id", django_capture_on_commit_callbacks,
                      login=False)
    # then both answers are the same redirect to the same page
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    def _page(client, contact):
        html = client.get(taken["Location"]).content.decode().replace(contact, "X")
        return re.sub(r'(csrfmiddlewaretoken" value="|CSRFToken": ")[^"]+', "", html)

    assert _page(client_a, "taken@example.id") == _page(client_b, "baru@example.id")
    # no second account, the owner's account is unchanged, and the owner got a notice, no code
    assert User.objects.filter(email="taken@example.id").count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "Pemilik Asli" and owner.check_password("rahasia-123")
    to_owner = [m for m in mail.outbox if m.to == ["taken@example.id"]]
    assert len(to_owner) == 1
    assert "sudah ada akun dengan alamat ini" in to_owner[0].body
    assert not re.search(r"\b\d{6}\b", to_owner[0].body)
    # any code typed on the confirmation page gets the generic refusal
    refused = client_a.post("/akun/daftar/kode/", {"code": "123456"})
    assert refused.status_code == 400
    assert "Kode salah atau tidak berlaku" in refused.content.decode()
    assert client_a.get("/api/v1/me/").status_code in (401, 403)
    # registering it again at once does not flood the owner's mailbox
    _register(client_a, "taken@example.id", django_capture_on_commit_callbacks, login=False)
    assert len([m for m in mail.outbox if m.to == ["taken@example.id"]]) == 1


def test_register_by_phone_on_platform_and_use_the_account_on_both_tenants(
    platform_client, client_a, client_b, django_capture_on_commit_callbacks
):
    response = _register(platform_client, "0812-7777-1234", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get(phone="6281277771234")
    assert user.email is None
    assert [m.to for m in sms.outbox] == ["6281277771234"]
    code = _code_from(sms.outbox[0].message)
    assert platform_client.post("/akun/daftar/kode/", {"code": code}).status_code == 302
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


def test_wrong_passwords_hold_back_that_account_from_that_address_across_hosts(
    client_a, client_b, user_factory
):
    user_factory(email="kunci@example.id")
    for attempt in range(1, 5):
        response = client_a.post("/masuk/", {"identifier": "kunci@example.id", "password": "x"})
        assert response.status_code == 400, attempt
    fifth = client_a.post("/masuk/", {"identifier": "KUNCI@example.id", "password": "x"})
    assert fifth.status_code == 429
    assert fifth["Retry-After"] == "60"
    assert "Terlalu banyak percobaan masuk. Coba lagi dalam 1 menit." in fifth.content.decode()
    assert 'value="KUNCI@example.id"' in fifth.content.decode()
    assert "masuk dengan kode sekali pakai" in fifth.content.decode()
    # the right password from the same address waits too, on another tenant's host
    other_host = client_b.post(
        "/masuk/", {"identifier": "kunci@example.id", "password": "rahasia-123"}
    )
    assert other_host.status_code == 429
    assert client_b.get("/api/v1/me/").status_code in (401, 403)
    # another account from the same address is not affected
    user_factory(email="lain@example.id")
    assert client_a.post(
        "/masuk/", {"identifier": "lain@example.id", "password": "rahasia-123"}
    ).status_code == 302


def test_an_attacker_cannot_lock_the_owner_out(user_factory):
    # given someone guessing the owner's password from their own address
    user_factory(email="korban-kunci@example.id")
    attacker = Client(HTTP_HOST="kota-bandung.localhost", REMOTE_ADDR="10.6.6.6")
    for _ in range(8):
        attacker.post("/masuk/", {"identifier": "korban-kunci@example.id", "password": "x"})
    assert attacker.post(
        "/masuk/", {"identifier": "korban-kunci@example.id", "password": "rahasia-123"}
    ).status_code == 429
    # then the owner, from another address, still signs in with the right password
    owner = Client(HTTP_HOST="kota-bandung.localhost", REMOTE_ADDR="10.1.1.1")
    assert owner.post(
        "/masuk/", {"identifier": "korban-kunci@example.id", "password": "rahasia-123"}
    ).status_code == 302


def test_delays_grow_after_each_further_failure():
    from accounts.ratelimit import pair_delay, policy

    rule = policy("login")
    assert [pair_delay(rule, n) for n in range(1, 9)] == [0, 0, 0, 0, 60, 120, 240, 480]
    assert pair_delay(rule, 40) == 3600  # capped at MPP_LOGIN_BACKOFF_MAX


def test_the_delay_ends_and_the_next_failure_waits_longer(client_a, user_factory):
    import time_machine

    user_factory(email="tunggu@example.id")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            client_a.post("/masuk/", {"identifier": "tunggu@example.id", "password": "x"})
        clock.shift(61)
        again = client_a.post("/masuk/", {"identifier": "tunggu@example.id", "password": "x"})
        assert again.status_code == 429 and again["Retry-After"] == "120"
        clock.shift(121)
        assert client_a.post(
            "/masuk/", {"identifier": "tunggu@example.id", "password": "rahasia-123"}
        ).status_code == 302


def test_owner_signs_in_with_a_code_while_the_account_is_held_back(
    user_factory, django_capture_on_commit_callbacks, settings
):
    # given an account whose password logins are blocked from every address
    settings.MPP_LOGIN_MAX_FAILURES = 6
    user_factory(email="pemilik@example.id", email_verified_at=timezone.now())
    for n in range(6):
        Client(HTTP_HOST="kota-bandung.localhost", REMOTE_ADDR=f"10.7.0.{n}").post(
            "/masuk/", {"identifier": "pemilik@example.id", "password": "x"})
    owner = Client(HTTP_HOST="kota-bandung.localhost", REMOTE_ADDR="10.1.2.3")
    blocked = owner.post("/masuk/", {"identifier": "pemilik@example.id",
                                     "password": "rahasia-123"})
    assert blocked.status_code == 429
    # when the owner asks for a sign-in code and types it
    with django_capture_on_commit_callbacks(execute=True):
        asked = owner.post("/akun/masuk-kode/", {"identifier": "pemilik@example.id",
                                                 "next": "/layanan/"})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/akun/masuk-kode/masuk/")
    code = _code_from(mail.outbox[-1].body)
    assert "Kode untuk masuk" in mail.outbox[-1].body
    assert 'value="pemilik@example.id"' in owner.get(asked["Location"]).content.decode()
    signed_in = owner.post("/akun/masuk-kode/masuk/", {
        "identifier": "pemilik@example.id", "code": code, "next": "/layanan/"})
    # then the owner is in, and the password works again
    assert signed_in.status_code == 302 and signed_in["Location"] == "/layanan/"
    assert owner.get("/api/v1/me/").status_code == 200
    owner.logout()
    assert owner.post("/masuk/", {"identifier": "pemilik@example.id",
                                  "password": "rahasia-123"}).status_code == 302


def test_sign_in_codes_go_only_to_verified_contacts_and_reveal_nothing(
    client_a, client_b, user_factory, django_capture_on_commit_callbacks
):
    user_factory(email="belum@example.id", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        unverified = client_a.post("/akun/masuk-kode/", {"identifier": "belum@example.id"})
        unknown = client_b.post("/akun/masuk-kode/", {"identifier": "siapa@example.id"})
    assert unverified.status_code == unknown.status_code == 302
    assert unverified["Location"] == unknown["Location"]
    assert mail.outbox == []
    refused = client_a.post("/akun/masuk-kode/masuk/", {
        "identifier": "belum@example.id", "code": "123456"})
    assert refused.status_code == 400
    assert client_a.get("/api/v1/me/").status_code in (401, 403)


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
