"""Accessible on every device (issue 16 item 5), in real Chromium on kota-bandung.localhost
and the platform host:

- axe-core (vendored, tests/browser/a11y.py) finds no serious or critical violation on the
  portal home, a service page, an application form, the tracking page (with a result), the
  staff worklist, the tenant dashboard and the ministry console;
- at 320×640 none of those pages scrolls sideways (wide tables scroll inside their wrapper);
- screenshots of the portal home at 375 px and 1280 px are written to $MPP_TEST_ARTIFACTS
  (default tests/artifacts/, git-ignored);
- /manifest.webmanifest is served as application/manifest+json on each tenant host and names
  that tenant (Kota Bandung on its host, Kabupaten Sragen on its own), and base.html links it;
- the portal home and the worklist load at most 100 KB of CSS + JS (decoded sizes).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from tests.browser.a11y import axe_violations, describe
from tests.browser.conftest import ROOT, launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Akses-Semua-2026"
ADMIN_EMAIL = "admin.a11y@bandung.go.id"
CITIZEN_EMAIL = "warga.a11y@example.id"
MINISTRY_EMAIL = "pemantau.a11y@menpan.go.id"
BANDUNG = "kota-bandung.localhost"
SRAGEN = "kab-sragen.localhost"
SERVICE = "KK-UBAH"
ASSET_BUDGET = 100 * 1024
ARTIFACTS = Path(os.environ.get("MPP_TEST_ARTIFACTS") or ROOT / "tests" / "artifacts")

SETUP = f"""
import datetime as dt
from accounts.models import CitizenProfile
from agencies.models import StaffRole
from agencies.services import staff_role_grant
from applications.models import Application, Status
from applications.statemachine import application_transition
from regions.seeding import seed_demo_tenant as seed_regions
from services.models import Offering
from services.seeding import seed_demo_tenant as seed_services
now = timezone.now()
admin = User.objects.create_user({ADMIN_EMAIL!r}, {PASSWORD!r}, full_name='Admin Aksesibilitas',
                                 email_verified_at=now)
citizen = User.objects.create_user({CITIZEN_EMAIL!r}, {PASSWORD!r}, full_name='Siti Warga',
                                   phone='6281234567890', email_verified_at=now)
CitizenProfile.objects.create(user=citizen, nik='3273014101900001', birth_place='Bandung',
                              birth_date=dt.date(1990, 1, 1), sex='P',
                              address='Jl. Sarijadi Raya No. 12, Bandung')
User.objects.create_user({MINISTRY_EMAIL!r}, {PASSWORD!r}, full_name='Pemantau Kementerian',
                         ministry_role='admin', email_verified_at=now)
bandung = live_tenant('32.73')
live_tenant('33.14')
with tenant_context(bandung):
    seed_regions(tenant=bandung)
    seed_services(tenant=bandung)
    staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN, agency=None)
    # two submitted applications of the citizen, one of them under verification
    for code, actions in (({SERVICE!r}, ()), ('KTP-UBAH', ('start_verification',))):
        offering = Offering.objects.get(service_code=code)
        application = Application.objects.create(
            offering=offering, service_code=code, service_version_id=offering.service_version_id,
            agency_id=offering.agency_id, applicant_id=citizen.pk, status=Status.DRAFT,
            form_data={{}}, documents={{}}, lookup_digits=['0001', '7890'])
        application_transition(application_id=application.pk, action='submit', actor=citizen)
        for action in actions:
            application_transition(application_id=application.pk, action=action, actor=admin)
    tracking = Application.objects.get(service_code={SERVICE!r}).tracking_code
print('ok', tracking)
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_a11y", SETUP) as srv:
        srv.tracking_code = srv.setup_output.split()[-1]
        yield srv


@pytest.fixture(scope="module")
def browser(server):
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            contexts = {}
            for who, host, email in (("anon", BANDUNG, None), ("citizen", BANDUNG, CITIZEN_EMAIL),
                                     ("admin", BANDUNG, ADMIN_EMAIL),
                                     ("ministry", "localhost", MINISTRY_EMAIL)):
                context = chromium.new_context(bypass_csp=True, locale="id-ID")
                if email:
                    sign_in(context.new_page(), server, email, PASSWORD, host=host,
                            next_path="/")
                contexts[who] = context
            yield contexts
        finally:
            chromium.close()


def _track(page, server) -> None:
    page.goto(server.url("/lacak/", BANDUNG))
    page.fill("#id_kode", server.tracking_code)
    page.fill("#id_digits", "0001")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert server.tracking_code in page.inner_text("main")


# name -> (context, host, path or callable opening the page)
PAGES = {
    "portal-home": ("anon", BANDUNG, "/"),
    "service": ("anon", BANDUNG, f"/layanan/{SERVICE}/"),
    "application-form": ("citizen", BANDUNG, f"/permohonan/baru/{SERVICE}/"),
    "tracking": ("anon", BANDUNG, _track),
    "worklist": ("admin", BANDUNG, "/kelola/permohonan/"),
    "dashboard": ("admin", BANDUNG, "/kelola/laporan/"),
    "ministry-console": ("ministry", "localhost", "/kementerian/"),
}


def _open(browser, server, name: str, *, width: int = 1280, height: int = 800):
    who, host, target = PAGES[name]
    page = browser[who].new_page()
    page.set_viewport_size({"width": width, "height": height})
    if callable(target):
        target(page, server)
    else:
        response = page.goto(server.url(target, host))
        assert response is not None and response.status == 200, (name, response and response.status)
    page.wait_for_load_state("networkidle")
    return page


def test_axe_helper_reports_what_it_should(browser):
    """The checks really bite: axe reports an unlabeled field and faint text, and a 600 px
    box makes a 320 px page scroll sideways."""
    page = browser["anon"].new_page()
    try:
        page.set_content('<html lang="id"><body><main><h1>Uji</h1><input type="text">'
                         '<p style="color:#ccc;background:#fff">samar</p></main></body></html>')
        found = {v["id"] for v in axe_violations(page)}
        assert {"label", "color-contrast"} <= found, found
        # and the 320 px check sees a page wider than the screen
        page.set_viewport_size({"width": 320, "height": 640})
        page.set_content('<html lang="id"><body><div style="width:600px">lebar</div></body></html>')
        assert page.evaluate("document.documentElement.scrollWidth") > 320
    finally:
        page.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_severe_axe_violations_and_no_sideways_scroll_at_320_px(browser, server, name):
    """axe at 1280×800, then the same page at 320×640 (one load per page keeps this fast)."""
    page = _open(browser, server, name)
    try:
        problems = []
        if not page.evaluate("document.documentElement.lang"):
            problems.append("the page has no lang")
        violations = axe_violations(page)
        if violations:
            problems.append(f"axe:\n{describe(violations)}")
        page.set_viewport_size({"width": 320, "height": 640})
        page.wait_for_function("window.innerWidth === 320")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > 321 && !el.closest('.table-wrap'))
                .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' +
                                 Math.round(el.getBoundingClientRect().right))""")
            problems.append(f"{width} px wide at 320 px: {wide}")
        assert not problems, f"{name}: " + "\n".join(problems)
    finally:
        page.close()


def test_portal_home_screenshots(browser, server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((375, 812), (1280, 800)):
        target = ARTIFACTS / f"portal-home-{width}.png"
        target.unlink(missing_ok=True)
        page = _open(browser, server, "portal-home", width=width, height=height)
        try:
            page.screenshot(path=str(target), full_page=True)
        finally:
            page.close()
        assert target.exists() and target.stat().st_size > 0, target


def _get(server, host: str, path: str) -> tuple[int, str, bytes]:
    """GET on the runserver with this Host (urllib cannot resolve *.localhost by itself)."""
    request = Request(f"http://127.0.0.1:{server.port}{path}",
                      headers={"Host": f"{host}:{server.port}"})
    with urlopen(request, timeout=30) as response:
        return response.status, response.headers.get_content_type(), response.read()


def _manifest(server, host: str) -> tuple[str, dict]:
    status, kind, body = _get(server, host, "/manifest.webmanifest")
    assert status == 200, (host, status)
    return kind, json.loads(body)


def test_web_manifest_is_per_tenant(browser, server):
    kind, bandung = _manifest(server, BANDUNG)
    assert kind == "application/manifest+json"
    assert "Kota Bandung" in bandung["name"] and "Sragen" not in bandung["name"]
    assert bandung["start_url"] == "/" and bandung["display"] == "standalone"
    assert bandung["theme_color"].startswith("#")
    assert {icon["sizes"] for icon in bandung["icons"]} >= {"192x192", "512x512"}
    kind, sragen = _manifest(server, SRAGEN)
    assert kind == "application/manifest+json"
    assert "Kabupaten Sragen" in sragen["name"] and "Bandung" not in sragen["name"]
    # the portal links it and the icons are served
    page = _open(browser, server, "portal-home")
    try:
        assert page.get_attribute("link[rel=manifest]", "href") == "/manifest.webmanifest"
    finally:
        page.close()
    for icon in bandung["icons"]:
        status, kind, body = _get(server, BANDUNG, icon["src"])
        assert status == 200 and kind == icon["type"] and body, icon


@pytest.mark.parametrize("name", ["portal-home", "worklist"])
def test_css_and_js_under_100_kb(browser, server, name):
    page = _open(browser, server, name)
    try:
        assets = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => /\\.(css|js)(\\?|$)/.test(new URL(e.name).pathname) ||
                         ['script', 'link', 'css'].includes(e.initiatorType))
            .map(e => [e.name, e.decodedBodySize || e.encodedBodySize || e.transferSize])""")
        assert assets, f"{name} loads no CSS/JS at all?"
        total = sum(size for _name, size in assets)
        assert total <= ASSET_BUDGET, f"{name} loads {total} B of CSS/JS: {assets}"
    finally:
        page.close()
