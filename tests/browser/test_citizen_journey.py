"""Browser journey of a citizen and an officer on kota-bandung.localhost (issue 5 acceptance):

register → (contact marked verified out of band: the code goes to the server's locmem mailbox)
→ complete the profile → put the old KK in the vault → apply for a KK change reusing it (plus
a new upload) → agree on the consent screen (docs/adr/0013) → receipt with tracking code →
officer starts verification and returns it for revision → citizen fixes it (and agrees to
share the new upload) → officer verifies, accepts, approves, issues the PDF with QR and
completes → citizen downloads the output and opens its verification URL (decoded from the QR
with `zbarimg` when installed, otherwise read from the PDF) → "ASLI" → the same account logs in
on kab-sragen.localhost and sees none of the Bandung applications.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Warga-Bandung-2026"
OFFICER_EMAIL = "petugas.kk@bandung.go.id"
CITIZEN_EMAIL = "warga.journey@example.id"
BANDUNG = "kota-bandung.localhost"
SRAGEN = "kab-sragen.localhost"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SETUP = f"""
from agencies.models import Agency, StaffRole
from agencies.services import staff_role_grant
from services.seeding import seed_demo_tenant
officer = User.objects.create_user({OFFICER_EMAIL!r}, {PASSWORD!r}, full_name='Petugas Disdukcapil')
for code in ('32.73', '33.14'):
    tenant = live_tenant(code)
    with tenant_context(tenant):
        seed_demo_tenant(tenant=tenant)
        if code == '32.73':
            staff_role_grant(user=officer, role=StaffRole.Role.OFFICER,
                             agency=Agency.objects.get(code='disdukcapil'))
print('ok')
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_journey", SETUP) as srv:
        yield srv


def _staff_action(page, action: str, note: str = "") -> None:
    if note:
        page.fill(f"#note-{action}", note)
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("diperbarui")


def _verification_url(pdf: bytes) -> str:
    """From the QR (zbarimg on a rasterised page) if the tools exist, else from the PDF."""
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "out.pdf"
            source.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), f"{folder}/p"],
                           check=True, timeout=60)
            for image in sorted(Path(folder).glob("p*.png")):
                found = subprocess.run(["zbarimg", "--raw", "-q", str(image)],
                                       capture_output=True, text=True, timeout=60).stdout
                for line in found.splitlines():
                    if "/verifikasi/" in line:
                        return line.strip()
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"https?://[^\s()<>]+/verifikasi/[^\s()<>/]+/", chunk)
        if found:
            return found.group(0).decode()
    raise AssertionError("no verification URL in the output PDF")


def test_citizen_applies_staff_process_output_verifies_and_other_tenant_sees_nothing(server):
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            citizen = browser.new_context(accept_downloads=True).new_page()
            officer = browser.new_context().new_page()

            # register on Bandung's portal
            citizen.goto(server.url("/akun/daftar/", BANDUNG))
            citizen.fill("input[name=full_name]", "Siti Warga Lestari")
            citizen.fill("input[name=contact]", CITIZEN_EMAIL)
            citizen.fill("input[name=password1]", PASSWORD)
            citizen.fill("input[name=password2]", PASSWORD)
            citizen.click("form button[type=submit].primary")
            citizen.wait_for_load_state()
            assert "/akun/daftar/kode/" in citizen.url
            # the code went to the server's locmem mailbox: mark the contact verified there
            # and sign in with the password
            server.shell(
                "from django.utils import timezone\nfrom accounts.models import User\n"
                f"User.objects.filter(email={CITIZEN_EMAIL!r})"
                ".update(email_verified_at=timezone.now())"
            )
            sign_in(citizen, server, CITIZEN_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/akun/profil/")

            # complete the profile
            citizen.goto(server.url("/akun/profil/", BANDUNG))
            citizen.fill("input[name=nik]", "3273014101900001")
            citizen.fill("input[name=birth_place]", "Bandung")
            citizen.fill("input[name=birth_date]", "1990-01-01")
            citizen.select_option("select[name=sex]", "P")
            citizen.fill("[name=address]", "Jl. Asia Afrika No. 1")
            citizen.fill("input[name=phone]", "081234567890")
            citizen.click("form button[type=submit].primary")
            citizen.wait_for_load_state()

            # put the old KK in the vault once
            citizen.goto(server.url("/permohonan/dokumen/", BANDUNG))
            citizen.select_option("#id_document_type", "KK")
            citizen.set_input_files("#id_file", files=[
                {"name": "kk-lama.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            citizen.click("form button[type=submit].primary")
            expect(citizen.locator(".messages")).to_contain_text("brankas")

            # apply for a KK change: prefilled from the profile, KK picked from the vault
            citizen.goto(server.url("/permohonan/baru/KK-UBAH/", BANDUNG))
            expect(citizen.locator("#id_nik_pemohon")).to_have_value("3273014101900001")
            expect(citizen.locator("#id_nama_pemohon")).to_have_value("Siti Warga Lestari")
            assert citizen.locator("#id_doc_kk_lama").input_value() != ""
            citizen.fill("#id_no_hp", "081234567890")
            citizen.fill("#id_nomor_kk", "3273010101010001")
            citizen.select_option("#id_jenis_perubahan", "pendidikan")
            citizen.fill("#id_alasan", "Pembaruan pendidikan terakhir anak kami.")
            citizen.select_option("#id_cara_pengambilan", "unduh")
            citizen.set_input_files("#id_upload_bukti_perubahan", files=[
                {"name": "ijazah.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            citizen.click("button[name=action][value=submit]")
            citizen.wait_for_load_state()
            # the consent screen: both documents go to Disdukcapil of Kota Bandung
            consent = citizen.locator("#consent-list")
            expect(consent).to_contain_text("Dinas Kependudukan")
            expect(consent).to_contain_text("Kota Bandung")
            expect(consent.locator("tbody tr")).to_have_count(2)
            citizen.click("#consent-agree")
            citizen.wait_for_load_state()
            code = citizen.locator("#tracking-code").inner_text().strip()
            assert re.fullmatch(r"3273-KKUBAH-\d{4}-0001", code)
            detail_path = re.sub(r"tanda-terima/$", "", urlparse(citizen.url).path)

            # officer: worklist → verification → return for revision
            sign_in(officer, server, OFFICER_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/kelola/permohonan/")
            officer.click(f"text={code}")
            officer.wait_for_load_state()
            staff_path = officer.url
            _staff_action(officer, "start_verification")
            _staff_action(officer, "return", note="Foto ijazah terpotong, mohon unggah ulang.")

            # citizen fixes it
            citizen.goto(server.url(detail_path, BANDUNG))
            expect(citizen.locator(".alert-warn")).to_contain_text("Foto ijazah terpotong")
            citizen.click("text=Perbaiki permohonan")
            citizen.set_input_files("#id_upload_bukti_perubahan", files=[
                {"name": "ijazah-lengkap.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            citizen.click("button[name=action][value=resubmit]")
            citizen.wait_for_load_state()
            # the new upload goes to the OPD only with consent
            expect(citizen.locator("#consent-list")).to_contain_text("Kota Bandung")
            citizen.click("#consent-agree")
            expect(citizen.locator(".messages")).to_contain_text("Perbaikan terkirim")

            # officer verifies, accepts, approves, issues the output and completes
            officer.goto(staff_path)
            for action in ("start_verification", "accept", "approve"):
                if action == "accept":  # the checklist must be ticked to declare it complete
                    for box in officer.locator("input[data-checklist]").all():
                        box.check()
                _staff_action(officer, action)
            officer.click("#generate-output")
            expect(officer.locator(".messages")).to_contain_text("diterbitkan")
            _staff_action(officer, "complete")

            # citizen downloads the output and checks its QR link
            citizen.goto(server.url(detail_path, BANDUNG))
            expect(citizen.locator(".badge").first).to_contain_text("Selesai")
            with citizen.expect_download() as download_info:
                citizen.click("#download-output")
            pdf = Path(download_info.value.path()).read_bytes()
            assert pdf.startswith(b"%PDF-")
            url = _verification_url(pdf)
            assert url.startswith(f"http://{BANDUNG}:{server.port}/verifikasi/")
            checker = browser.new_context().new_page()
            checker.goto(url)
            expect(checker.locator("[data-verified=true]")).to_contain_text("ASLI")
            expect(checker.locator("main")).not_to_contain_text("Siti Warga Lestari")

            # the same account on Sragen sees none of Bandung's applications
            sragen = browser.new_context().new_page()
            sign_in(sragen, server, CITIZEN_EMAIL, PASSWORD, host=SRAGEN, next_path="/permohonan/")
            assert "/permohonan/" in sragen.url
            expect(sragen.locator("main")).to_contain_text("belum memiliki permohonan")
            expect(sragen.locator("main")).not_to_contain_text(code)
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
