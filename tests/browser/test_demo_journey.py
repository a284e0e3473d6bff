"""Browser journey of the demo that a fresh `make run` gives (issue 17 acceptance):

the throwaway database is migrated like `mpp_run` does and seeded by the very `seed_demo`
command `make run` runs (no hand-written setup) → the demo citizen signs in on
kota-bandung.localhost with the login `seed_demo` prints (no admin step first) → opens the
KTP-el form: NIK, name, address and birth date come from the profile, the Kecamatan list is
filled → another kecamatan narrows the Desa list to its villages (htmx) → the remaining fields
are typed in, the one required document (the KK) is chosen from the vault → submitted, the
receipt shows the tracking code → /antrean/: KTP-el, a working day that is not today, an open
slot, "Pesan slot" → the booking code.

Nothing depends on today's date or hour: the day chosen at /antrean/ is the second offered
working day (never today), and the tracking code's year is not checked.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import BrowserServer, launch_chromium, require_browser, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

BANDUNG = "kota-bandung.localhost"
BANDUNG_TZ = "Asia/Jakarta"  # Jawa Barat: WIB
SUKASARI, SARIJADI = "32.73.01", "32.73.01.1004"  # the demo citizen's profile
COBLONG = "32.73.02"

# What the citizen sent, read back out of band: the form's region answers and the documents.
STORED = """
from django_tenants.utils import tenant_context
from applications.models import Application
from tenants.models import Tenant
with tenant_context(Tenant.objects.get(region_code='32.73')):
    app = Application.objects.get(tracking_code=CODE)
    print('ok', app.status, app.form_data['kecamatan'], app.form_data['desa'],
          sorted(app.documents), app.form_data['nik_pemohon'])
"""


@pytest.fixture(scope="module")
def server():
    srv = BrowserServer(prefix="mpp_demo")
    try:
        srv.migrate()  # what mpp_run does first: deploy_migrate + createcachetable
        started = time.monotonic()
        out = srv.manage("seed_demo")
        srv.seed_seconds = time.monotonic() - started
        print(f"seed_demo took {srv.seed_seconds:.1f} s")
        # the citizen login as seed_demo prints it ("Warga: <login> / <password>")
        found = re.search(r"^Warga: (\S+) / (\S+)$", out, re.M)
        assert found, out
        srv.citizen_login, srv.citizen_password = found.groups()
        srv.start()
        yield srv
    finally:
        srv.stop()


def test_demo_citizen_applies_for_a_ktp_and_books_a_slot(server):
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_context().new_page()

            # 1. sign in with the printed demo login
            sign_in(page, server, server.citizen_login, server.citizen_password, host=BANDUNG,
                    next_path="/permohonan/")

            # 2. the KTP-el form, prefilled from the demo profile
            response = page.goto(server.url("/permohonan/baru/KTP-BARU/", BANDUNG))
            assert response is not None and response.status == 200, response
            expect(page.locator("h1")).to_contain_text("KTP-el")
            expect(page.locator("#regions-missing")).to_have_count(0)
            expect(page.locator("#id_nik_pemohon")).to_have_value("3273014101900001")
            expect(page.locator("#id_nama_pemohon")).to_have_value("Siti Warga")
            expect(page.locator("#id_alamat")).to_have_value(re.compile(r"Sarijadi"))
            expect(page.locator("#id_tanggal_lahir")).to_have_value("1990-01-01")
            expect(page.locator("#id_no_hp")).not_to_have_value("")

            # 3. the Kecamatan list holds Kota Bandung's kecamatan (30), the profile's selected
            districts = page.locator("#id_kecamatan option:not([value=''])")
            assert districts.count() >= 20, districts.count()
            values = districts.evaluate_all("els => els.map(e => e.value)")
            assert all(v.startswith("32.73.") for v in values), values
            expect(page.locator("#id_kecamatan")).to_have_value(SUKASARI)
            expect(page.locator("#id_desa")).to_have_value(SARIJADI)

            # 4. another kecamatan: the Desa list is swapped in by htmx, on the same page
            form_url = page.url
            with page.expect_response(lambda r: "/desa/" in r.url and r.status == 200):
                page.select_option("#id_kecamatan", COBLONG)
            expect(page.locator(f"#id_desa option[value='{SARIJADI}']")).to_have_count(0)
            villages = page.locator("#id_desa option:not([value=''])")
            expect(villages.first).to_be_attached()
            codes = villages.evaluate_all("els => els.map(e => e.value)")
            assert codes and all(c.startswith(f"{COBLONG}.") for c in codes), codes
            assert page.url == form_url
            expect(page.locator("#id_nik_pemohon")).to_have_value("3273014101900001")
            village = codes[0]
            page.select_option("#id_desa", village)

            # 5. the rest of the form
            page.select_option("#id_status_perkawinan", "belum_kawin")
            page.fill("#id_nomor_kk", "3273010101010001")
            page.select_option("#id_lokasi_perekaman", "disdukcapil")

            # 6. only the KK is asked for: choose the demo citizen's KK from the vault
            doc_fields = page.locator("#apply-form select[name^=doc_]")
            expect(doc_fields).to_have_count(1)
            kk = page.locator("#id_doc_kk option", has_text="Kartu Keluarga").first
            kk_id = kk.get_attribute("value")
            assert kk_id, "the demo citizen's vault holds no KK"
            page.select_option("#id_doc_kk", kk_id)

            # 7. submit → receipt with the tracking code
            page.click("button[name=action][value=submit]")
            page.wait_for_load_state()
            assert "/tanda-terima/" in page.url, page.locator("main").inner_text()
            code = page.locator("#tracking-code").inner_text().strip()
            assert re.fullmatch(r"3273-KTPBARU-\d{4}-\d{4}", code), code
            out = server.shell(STORED.replace("CODE", repr(code))).splitlines()[-1]
            assert out == (
                f"ok submitted {COBLONG} {village} ['kk'] 3273014101900001"
            ), out

            # 8. book a slot for the KTP-el: a working day that is not today, an open slot
            page.goto(server.url("/antrean/", BANDUNG))
            page.select_option("#id_service_code", "KTP-BARU")
            days = page.locator("#id_day option:not([value=''])")
            assert days.count() >= 3, days.count()
            today = datetime.now(ZoneInfo(BANDUNG_TZ)).date().isoformat()
            day = days.nth(1).get_attribute("value")  # the second working day offered
            assert day and day > today, (day, today)
            day_label = days.nth(1).inner_text().strip()
            page.select_option("#id_day", day)
            slot = page.locator("input[name=slot_start]:not([disabled])").first
            expect(slot).to_be_visible()
            slot.check()
            page.get_by_role("button", name="Pesan slot").click()
            booking = page.get_by_test_id("booking-code")
            expect(booking).to_be_visible()
            assert re.fullmatch(r"[A-Z2-9]{8}", booking.inner_text().strip())
            facts = page.locator(".ticket-card")
            expect(facts).to_contain_text("Penerbitan KTP-el Baru")
            expect(facts).to_contain_text(day_label)
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
