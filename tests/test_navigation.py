"""The apps' navigation links (core.context_processors.navigation): resolved once per host
kind, the labels still translated per request."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from core import context_processors


def test_links_are_resolved_once_per_host_kind_and_labels_follow_the_language(
    client_a, client_b, platform_client
):
    context_processors._nav_cache.clear()
    first = client_a.get("/layanan/").context
    portal = first["nav_portal"]
    assert any(item["url"] == "/layanan/" for item in portal)
    assert any(item["url"].startswith("/kelola/") for item in first["nav_backoffice"])
    # the next request, on another tenant's host too, reuses the resolved links
    assert client_a.get("/").context["nav_portal"] is portal
    assert client_b.get("/layanan/").context["nav_portal"] is portal
    # the platform host has its own list, resolved against its own URLs
    platform = platform_client.get("/").context
    assert "nav_portal" not in platform and platform["nav_platform"]
    assert all(not item["url"].startswith("/kelola/") for item in platform["nav_platform"])
    # the labels stay lazy: the same links render in the visitor's language
    label = next(item["label"] for item in portal if item["url"] == "/layanan/")
    with translation.override("id"):
        indonesian = str(label)
    with translation.override("en"):
        english = str(label)
    assert indonesian != english
    assert f">{indonesian}</a>" in client_a.get("/layanan/").content.decode()
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f">{english}</a>" in client_a.get("/layanan/").content.decode()
