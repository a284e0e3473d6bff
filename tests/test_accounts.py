import pytest

from accounts.models import User
from accounts.phone import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"),
     ("81234567890", "6281234567890"), ("021123", None), ("", None)],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_login_with_email_or_phone(client_a, user_factory):
    user = user_factory(email="ani@example.id", phone="6281211112222")
    for identifier in ("ani@example.id", "ANI@example.id", "0812-1111-2222"):
        client_a.logout()
        response = client_a.post("/masuk/", {"identifier": identifier, "password": "rahasia-123"})
        assert response.status_code == 302, identifier
        assert client_a.get("/api/v1/me/").json()["id"] == user.pk


def test_failed_login_keeps_the_identifier_and_says_why(client_a, user_factory):
    user_factory(email="budi@example.id")
    response = client_a.post("/masuk/", {"identifier": "budi@example.id", "password": "salah"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "kata sandi salah" in body
    assert 'value="budi@example.id"' in body


def test_login_redirect_is_restricted_to_the_same_host(client_a, user_factory):
    user_factory(email="c@example.id")
    response = client_a.post(
        "/masuk/", {"identifier": "c@example.id", "password": "rahasia-123", "next": "https://evil.com/"}
    )
    assert response["Location"] == "/"


def test_one_account_logs_in_on_every_tenant(client_a, client_b, user_factory):
    user = user_factory(email="d@example.id")
    for client in (client_a, client_b):
        assert client.post("/masuk/", {"identifier": "d@example.id", "password": "rahasia-123"}).status_code == 302
        assert client.get("/api/v1/me/").json()["id"] == user.pk


def test_user_needs_email_or_phone(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(full_name="Tanpa Kontak")
