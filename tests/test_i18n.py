"""Bahasa Indonesia first; English only when the user switches."""

from django.conf import settings


def test_indonesian_even_for_an_english_browser(client_a):
    page = client_a.get("/masuk/?lokal=1", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in page.content.decode()
    assert "Kata sandi" in page.content.decode()


def test_language_switch_to_english_and_back(client_a):
    client_a.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    english = client_a.get("/masuk/?lokal=1").content.decode()
    assert 'lang="en"' in english
    assert "Password" in english
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Kata sandi" in client_a.get("/masuk/?lokal=1").content.decode()
