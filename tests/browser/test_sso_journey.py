"""Browser journey of one login across regencies (issue 16 item 2 acceptance, docs/adr/0010):

sign in once on the platform host → open Kota Bandung's and Kabupaten Sragen's portals signed
in, without typing → sign out on Sragen → signed out on Sragen, Bandung and the platform.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Warga-Sekali-2026"
EMAIL = "warga.sso@example.id"
NAME = "Sari Sekali Masuk"
BANDUNG = "kota-bandung.localhost"
SRAGEN = "kab-sragen.localhost"

SETUP = f"""
User.objects.create_user({EMAIL!r}, {PASSWORD!r}, full_name={NAME!r},
                         email_verified_at=timezone.now())
live_tenant('32.73')
live_tenant('33.14')
print('ok')
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_sso", SETUP) as srv:
        yield srv


def _signed_in_at(page, server, host: str, path: str = "/permohonan/") -> None:
    page.goto(server.url(path, host))
    page.wait_for_load_state()
    assert page.url == server.url(path, host), page.url
    expect(page.locator(".nav-user")).to_have_text(NAME)


def test_sign_in_once_reach_both_regencies_sign_out_everywhere(server):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context().new_page()
            # sign in once, on the platform host
            sign_in(page, server, EMAIL, PASSWORD)
            expect(page.locator(".nav-user")).to_have_text(NAME)

            # both regencies open signed in: one redirect to the platform and back, no typing
            _signed_in_at(page, server, BANDUNG)
            _signed_in_at(page, server, SRAGEN)
            # each host has a session cookie of its own (nothing shared across hosts)
            hosts = {c["domain"] for c in page.context.cookies() if c["name"] == "sessionid"}
            assert {BANDUNG, SRAGEN, "localhost"} <= hosts, hosts

            # sign out on Sragen
            page.click("header form button:has-text('Keluar')")
            page.wait_for_load_state()
            expect(page.locator("header")).to_contain_text("Masuk")

            # signed out on Bandung and on the platform too: the portal asks for a login,
            # which happens on the platform host
            page.goto(server.url("/permohonan/", BANDUNG))
            page.wait_for_load_state()
            assert page.url.startswith(server.url("/masuk/")), page.url
            expect(page.locator("input[name=password]")).to_be_visible()
            page.goto(server.url("/", BANDUNG))
            expect(page.locator(".nav-user")).to_have_count(0)
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
