"""Browser journey of the citizen's vault across regencies (issue 16 item 3, docs/adr/0013):

sign in once on the platform host → upload a KK and a diploma in Kota Bandung's vault → open
Kabupaten Sragen's KK form (signed in through the one-login hand-off): both are offered →
submit → the consent screen lists each document with Sragen's OPD → meanwhile Sragen's
officer cannot open the KK (404: named by a draft, never shared) → the citizen agrees → the
officer can → the citizen's vault page (on Bandung's host) shows Sragen's access.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Warga-Brankas-2026"
EMAIL = "warga.brankas@example.id"
NAME = "Dewi Sekali Unggah"
OFFICER_EMAIL = "petugas.kk@sragenkab.go.id"
OFFICER_NAME = "Petugas Disdukcapil Sragen"
BANDUNG = "kota-bandung.localhost"
SRAGEN = "kab-sragen.localhost"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SETUP = f"""
from agencies.models import Agency, StaffRole
from agencies.services import staff_role_grant
from services.seeding import seed_demo_tenant
User.objects.create_user({EMAIL!r}, {PASSWORD!r}, full_name={NAME!r},
                         email_verified_at=timezone.now())
officer = User.objects.create_user({OFFICER_EMAIL!r}, {PASSWORD!r}, full_name={OFFICER_NAME!r})
live_tenant('32.73')
sragen = live_tenant('33.14')
with tenant_context(sragen):
    seed_demo_tenant(tenant=sragen)
    staff_role_grant(user=officer, role=StaffRole.Role.OFFICER,
                     agency=Agency.objects.get(code='disdukcapil'))
print('ok')
"""

DRAFT_ID = f"""
from django_tenants.utils import schema_context
from accounts.models import User
from applications.models import Application
user = User.objects.get(email={EMAIL!r})
with schema_context('kab_sragen'):
    print(Application.objects.get(applicant_id=user.pk, status='draft').pk)
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_vault", SETUP) as srv:
        yield srv


FETCH = """async url => {
    const response = await fetch(url, {credentials: "same-origin"});
    const head = new Uint8Array(await response.arrayBuffer()).slice(0, 5);
    return [response.status, String.fromCharCode(...head)];
}"""


def _fetch(page, url: str) -> tuple[int, str]:
    """Status and first bytes of a same-origin GET from the page (the browser resolves
    *.localhost; Playwright's own HTTP client does not)."""
    status, head = page.evaluate(FETCH, url)
    return int(status), head


def _upload(page, kind: str, label: str, name: str) -> None:
    page.select_option("#id_document_type", kind)
    page.fill("#id_label", label)
    page.set_input_files("#id_file", files=[
        {"name": name, "mimeType": "application/pdf", "buffer": PDF}])
    page.click("form button[type=submit].primary")
    expect(page.locator(".messages")).to_contain_text("brankas")


def test_a_document_uploaded_in_bandung_is_shared_with_sragen_only_with_consent(server):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            citizen = browser.new_context().new_page()
            officer = browser.new_context().new_page()

            # sign in once, on the platform host
            sign_in(citizen, server, EMAIL, PASSWORD)

            # upload a KK and a diploma in Kota Bandung's vault (signed in by the hand-off)
            citizen.goto(server.url("/permohonan/dokumen/", BANDUNG))
            assert citizen.url == server.url("/permohonan/dokumen/", BANDUNG), citizen.url
            _upload(citizen, "KK", "KK Sekali Unggah", "kk.pdf")
            _upload(citizen, "IJAZAH", "Ijazah Sekali Unggah", "ijazah.pdf")

            # Sragen's form offers both (the only document of each kind: preselected)
            citizen.goto(server.url("/permohonan/baru/KK-UBAH/", SRAGEN))
            assert citizen.url == server.url("/permohonan/baru/KK-UBAH/", SRAGEN), citizen.url
            kk = citizen.locator("#id_doc_kk_lama option:checked")
            expect(kk).to_have_text(re.compile("KK Sekali Unggah"))
            kk_id = kk.get_attribute("value")
            expect(citizen.locator("#id_doc_bukti_perubahan option:checked")).to_have_text(
                re.compile("Ijazah Sekali Unggah"))
            citizen.fill("#id_nik_pemohon", "3314014101900001")
            citizen.fill("#id_nama_pemohon", NAME)
            citizen.fill("#id_no_hp", "081234567890")
            citizen.fill("#id_nomor_kk", "3314010101010001")
            citizen.select_option("#id_jenis_perubahan", "pendidikan")
            citizen.fill("#id_alasan", "Pembaruan pendidikan terakhir.")
            citizen.select_option("#id_cara_pengambilan", "unduh")
            citizen.click("button[name=action][value=submit]")
            citizen.wait_for_load_state()

            # the consent screen: each document → Sragen's Disdukcapil
            consent = citizen.locator("#consent-list")
            expect(consent).to_contain_text("KK Sekali Unggah")
            expect(consent).to_contain_text("Ijazah Sekali Unggah")
            expect(consent).to_contain_text("Dinas Kependudukan")
            expect(consent).to_contain_text("Kabupaten Sragen")

            # Sragen's officer: the draft names the KK, but it was not shared: 404
            sign_in(officer, server, OFFICER_EMAIL, PASSWORD, host=SRAGEN,
                    next_path="/kelola/permohonan/", local=True)
            draft_id = server.shell(DRAFT_ID).splitlines()[-1].strip()
            document_url = server.url(f"/kelola/permohonan/{draft_id}/dokumen/{kk_id}/", SRAGEN)
            assert _fetch(officer, document_url)[0] == 404

            # the citizen agrees: submitted, and now the officer can open Sragen's copy
            citizen.click("#consent-agree")
            citizen.wait_for_load_state()
            code = citizen.locator("#tracking-code").inner_text().strip()
            assert re.fullmatch(r"3314-KKUBAH-\d{4}-0001", code), code
            assert _fetch(officer, document_url) == (200, "%PDF-")

            # the citizen's vault page, on Bandung's host, shows Sragen's access
            citizen.goto(server.url("/permohonan/dokumen/", BANDUNG))
            log = citizen.locator("#access-log + .table-wrap")
            expect(log).to_contain_text(OFFICER_NAME)
            expect(log).to_contain_text("Kabupaten Sragen")
            expect(log).to_contain_text(code)
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
