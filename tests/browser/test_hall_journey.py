"""Browser journey of the hall (issue 7 acceptance) on kota-bandung.localhost:

a citizen books a slot (service → working day → open slot, loaded with htmx) and gets a
booking code + QR → (out of band: the booking's day arrives, i.e. the booking is moved to a
slot that started 5 minutes ago today, and it is put 6 minutes back in the queue so the wait
time is visible) → the front desk checks it in by code → the counter calls, serves and
finishes it and shows the SKM link/QR → the citizen answers the nine SKM questions → the
tenant admin's dashboard shows the ticket's wait time and the IKM changed from "–" to 100.00.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Aula-Bandung-2026"
ADMIN_EMAIL = "admin.aula@bandung.go.id"
CITIZEN_EMAIL = "warga.aula@example.id"
BANDUNG = "kota-bandung.localhost"

SETUP = f"""
from agencies.models import StaffRole
from agencies.services import agency_create, staff_role_grant
from hall.services import counter_save
from services.services import offering_adopt
from services.tests.factories import service_version
admin = User.objects.create_user({ADMIN_EMAIL!r}, {PASSWORD!r}, full_name='Admin Aula')
User.objects.create_user({CITIZEN_EMAIL!r}, {PASSWORD!r}, full_name='Warga Aula')
version = service_version(code='AULA-KTP', category_code='ADM', name='KTP-el Aula')
tenant = live_tenant('32.73')
with tenant_context(tenant):
    agency = agency_create(name='Dinas Kependudukan Aula', short_name='Dukcapil Aula')
    offering = offering_adopt(service_version=version, agency=agency, channel='online', actor=None)
    counter = counter_save(actor=None, code='loket-1', name='Loket 1', agency_id=agency.pk,
                           services=[offering.service_code], capacity_per_slot=3)
    staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN, agency=None)
print('ok', counter.pk)
"""

ARRIVE = """
from datetime import timedelta
from django.utils import timezone
from django_tenants.utils import tenant_context
from hall.models import Ticket
from hall.selectors import local_day
from tenants.models import Tenant
with tenant_context(Tenant.objects.get(region_code='32.73')):
    start = timezone.now() - timedelta(minutes=5)
    n = Ticket.objects.filter(code=CODE).update(day=local_day(), slot_start=start,
                                                slot_end=start + timedelta(minutes=30))
print('ok', n)
"""

QUEUE_BACK = """
from datetime import timedelta
from django.utils import timezone
from django_tenants.utils import tenant_context
from hall.models import Ticket
from tenants.models import Tenant
with tenant_context(Tenant.objects.get(region_code='32.73')):
    n = Ticket.objects.filter(code=CODE).update(queued_at=timezone.now() - timedelta(minutes=6))
print('ok', n)
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_hall", SETUP) as srv:
        srv.counter_id = int(srv.setup_output.split()[-1])
        yield srv


def test_book_check_in_serve_survey_dashboard(server):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            citizen = browser.new_context().new_page()
            staff = browser.new_context().new_page()
            # the admin sees no IKM yet
            sign_in(staff, server, ADMIN_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/kelola/laporan/")
            expect(staff.get_by_test_id("ikm-value")).to_have_text("–")

            # 1. the citizen books a slot
            sign_in(citizen, server, CITIZEN_EMAIL, PASSWORD, host=BANDUNG, next_path="/antrean/")
            citizen.goto(server.url("/antrean/", BANDUNG))
            citizen.select_option("#id_service_code", "AULA-KTP")
            # a later working day: today's slots may all be past (the clock is not frozen in a
            # browser journey); the booking is moved to today below anyway
            citizen.select_option("#id_day", index=2)
            slot = citizen.locator("input[name=slot_start]:not([disabled])").first
            expect(slot).to_be_visible()
            slot.check()
            citizen.get_by_role("button", name="Pesan slot").click()
            code = citizen.get_by_test_id("booking-code").inner_text().strip()
            assert re.fullmatch(r"[A-Z2-9]{8}", code)
            expect(citizen.locator(".qr svg")).to_be_visible()

            # (the booking's day arrives)
            assert server.shell(ARRIVE.replace("CODE", repr(code))).endswith("ok 1")

            # 2. the front desk checks it in by code
            staff.goto(server.url("/kelola/loket/depan/", BANDUNG))
            staff.fill("#id_code", code.lower())
            staff.get_by_role("button", name="Check-in").click()
            expect(staff.get_by_test_id("issued-number")).to_have_text("B001")
            assert server.shell(QUEUE_BACK.replace("CODE", repr(code))).endswith("ok 1")

            # 3. the counter calls, serves and finishes
            staff.goto(server.url(f"/kelola/loket/{server.counter_id}/", BANDUNG))
            staff.get_by_role("button", name="Panggil berikutnya").click()
            expect(staff.get_by_test_id("current-number")).to_have_text("B001")
            staff.get_by_role("button", name="Mulai layani").click()
            staff.get_by_role("button", name="Selesai dilayani").click()
            skm_url = staff.get_by_test_id("skm-link").get_attribute("href")
            assert "/skm/" in skm_url
            # the display board shows the last call
            staff.goto(server.url("/antrean/layar/", BANDUNG))
            expect(staff.locator(".board-recent")).to_contain_text("B001")

            # 4. the citizen answers the SKM (Sangat … on all nine questions)
            citizen.goto(skm_url)
            for number in range(1, 10):
                citizen.locator(f"input[name=u{number}][value='4']").check()
            citizen.get_by_role("button", name="Kirim survei").click()
            expect(citizen.get_by_test_id("skm-result")).to_contain_text("Terima kasih")

            # 5. the dashboard shows the wait time and the new IKM
            staff.goto(server.url("/kelola/laporan/", BANDUNG))
            expect(staff.get_by_test_id("ikm-value")).to_have_text("100.00")
            expect(staff.get_by_test_id("ikm-grade")).to_have_text("A")
            # Indonesian number format: decimal comma
            wait = float(staff.get_by_test_id("avg-wait").inner_text().replace(",", "."))
            assert 5.5 <= wait <= 8
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
