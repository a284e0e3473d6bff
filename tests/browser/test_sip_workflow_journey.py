"""Browser journey of a SIP across OPDs (issue 13 acceptance) on kota-bandung.localhost:

a (verified, profile completed out of band) citizen applies for the seeded SIP-DOKTER with
`jenis_praktik=fasilitas_kesehatan`, so the optional field check (only for `mandiri`) is
skipped, and agrees to give the documents to DPMPTSP and Dinas Kesehatan → the DPMPTSP front office starts verification, ticks the checklist and accepts: the
file goes to Dinas Kesehatan → an officer whose only role is in Dinkes, who neither saw it in
the worklist nor could open it before, now finds it there, records the STR number, its
validity and uploads the recommendation PDF and forwards it → the head of DPMPTSP approves,
sees that "complete" needs the output document, issues the SIP and completes. At every hand-off
the citizen's page names the OPD holding the file and the step's deadline; at the end its
route lists the four steps with their OPDs, and the recommendation is stored with the step.

Deadlines depend on the clock (working days from now), so the journey checks the OPD names
and that a deadline (a date) is shown, not the exact date.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

require_browser()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

PASSWORD = "Izin-Praktik-2026"
CITIZEN_EMAIL = "dokter.siti@example.id"
FRONT_EMAIL = "front.office@dpmptsp.bandung.go.id"
HEALTH_EMAIL = "verifikator@dinkes.bandung.go.id"
HEAD_EMAIL = "kepala@dpmptsp.bandung.go.id"
BANDUNG = "kota-bandung.localhost"
DPMPTSP = "DPMPTSP Kota Bandung"
DINKES = "Dinkes Kota Bandung"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RECOMMENDATION = b"%PDF-1.4\n% rekomendasi teknis Dinkes\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STR_NUMBER = "KKI.3273/STR-2024/0001"
# "8 Des 2026 10:00": a date and time of the route (Indonesian month abbreviations)
WHEN = r"\d{1,2} \w+ \d{4} \d{2}:\d{2}"

SETUP = f"""
import datetime as dt
from accounts.models import CitizenProfile
from agencies.models import StaffRole
from agencies.services import agency_create, agency_kind_map, staff_role_grant
from catalog.models import ServiceVersion
from regions.seeding import seed_demo_tenant as seed_regions
from services.services import offering_adopt
citizen = User.objects.create_user({CITIZEN_EMAIL!r}, {PASSWORD!r}, full_name='Siti Rahmawati',
                                   phone='6281234567890', email_verified_at=timezone.now())
CitizenProfile.objects.create(user=citizen, nik='3273014101900001', birth_place='Bandung',
                              birth_date=dt.date(1990, 1, 1), sex='P',
                              address='Jl. Asia Afrika No. 1, Bandung')
front = User.objects.create_user({FRONT_EMAIL!r}, {PASSWORD!r}, full_name='Petugas Front Office')
health = User.objects.create_user({HEALTH_EMAIL!r}, {PASSWORD!r}, full_name='Verifikator Dinkes')
head = User.objects.create_user({HEAD_EMAIL!r}, {PASSWORD!r}, full_name='Kepala DPMPTSP')
version = ServiceVersion.objects.filter(service__code='SIP-DOKTER', status='published').order_by(
    '-number').first()
tenant = live_tenant('32.73')
with tenant_context(tenant):
    seed_regions(tenant=tenant)
    dpmptsp = agency_create(code='dpmptsp', short_name={DPMPTSP!r},
                            name='Dinas Penanaman Modal dan PTSP Kota Bandung')
    dinkes = agency_create(code='dinkes', short_name={DINKES!r}, name='Dinas Kesehatan Kota Bandung')
    agency_kind_map(kind='dpmptsp', agency=dpmptsp)
    agency_kind_map(kind='dinkes', agency=dinkes)
    offering_adopt(service_version=version, agency=dpmptsp, channel='online', actor=None)
    staff_role_grant(user=front, role=StaffRole.Role.OFFICER, agency=dpmptsp)
    staff_role_grant(user=health, role=StaffRole.Role.OFFICER, agency=dinkes)
    staff_role_grant(user=head, role=StaffRole.Role.AGENCY_HEAD, agency=dpmptsp)
    assert list(StaffRole.objects.filter(user_id=health.pk).values_list(
        'agency__code', 'role')) == [('dinkes', 'officer')]
print('ok')
"""

# What Dinkes recorded on its step (read out of band): the STR text fields and the PDF's hash.
STEP_RECORD = """
from django_tenants.utils import tenant_context
from applications.models import ApplicationStep
from tenants.models import Tenant
with tenant_context(Tenant.objects.get(region_code='32.73')):
    step = ApplicationStep.objects.get(application__tracking_code=CODE,
                                       step_code='verifikasi_teknis')
    record = step.record
    print('ok', step.agency.code, record['nomor_str_terverifikasi'], '|',
          record['masa_berlaku_str'], '|', record['rekomendasi_teknis']['sha256'])
"""


@pytest.fixture(scope="module")
def server():
    with serving("mpp_sip", SETUP) as srv:
        yield srv


def _staff_action(page, action: str) -> None:
    page.click(f"button[data-action={action}]")
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("diperbarui")


def _worklist(page, server):
    page.goto(server.url("/kelola/permohonan/", BANDUNG))
    return page.locator("#worklist-table")


def _holding(citizen, server, detail_path: str, *, opd: str, step: str) -> None:
    """The citizen's page names the OPD holding the file, the current step and its deadline."""
    citizen.goto(server.url(detail_path, BANDUNG))
    now = citizen.locator(".route-now")
    expect(now).to_contain_text(f"Berkas sekarang di {opd}")
    expect(now).to_contain_text(re.compile(f"paling lambat {WHEN}"))
    current = citizen.locator("li.route-step.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(step)
    expect(current).to_contain_text(opd)
    expect(current).to_contain_text(re.compile(f"batas {WHEN}"))
    # the field check applies to independent practices only: never on this route
    expect(citizen.locator("ol.route")).not_to_contain_text("Pemeriksaan lapangan")


def test_sip_passes_dpmptsp_dinkes_and_back_with_each_hand_off_on_the_citizen_page(server):
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            citizen = browser.new_context().new_page()
            front = browser.new_context().new_page()
            health = browser.new_context().new_page()
            head = browser.new_context().new_page()

            # 1. the citizen applies: profile answers prefilled, the rest typed in
            sign_in(citizen, server, CITIZEN_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/permohonan/")
            citizen.goto(server.url("/permohonan/baru/SIP-DOKTER/", BANDUNG))
            expect(citizen.locator("#id_nik")).to_have_value("3273014101900001")
            expect(citizen.locator("#id_nama_lengkap")).to_have_value("Siti Rahmawati")
            citizen.fill("#id_gelar", "dr.")
            citizen.fill("#id_no_hp", "081234567890")
            citizen.select_option("#id_jenis_permohonan", "baru")
            citizen.fill("#id_nomor_str", STR_NUMBER)
            citizen.select_option("#id_str_seumur_hidup", "ya")
            citizen.fill("#id_urutan_sip", "1")
            citizen.select_option("#id_jenis_praktik", "fasilitas_kesehatan")
            citizen.select_option("#id_jenis_fasilitas", "klinik_pratama")
            citizen.fill("#id_nama_tempat_praktik", "Klinik Pratama Sehat Sentosa")
            citizen.fill("#id_alamat_tempat_praktik", "Jl. Braga No. 10, Bandung")
            # the kecamatan narrows the desa list (htmx swap of #village-desa_tempat_praktik)
            citizen.select_option("#id_kecamatan_tempat_praktik", index=1)
            village = citizen.locator("#id_desa_tempat_praktik option:not([value=''])")
            expect(village.first).to_be_attached()
            citizen.select_option("#id_desa_tempat_praktik", index=1)
            citizen.set_input_files("#id_upload_str", files=[
                {"name": "str.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            citizen.set_input_files("#id_upload_keterangan_tempat_praktik", files=[
                {"name": "keterangan-klinik.pdf", "mimeType": "application/pdf",
                 "buffer": PDF}])
            citizen.click("button[name=action][value=submit]")
            citizen.wait_for_load_state()
            # the consent screen names every OPD on the route: both documents go to DPMPTSP
            # and to Dinas Kesehatan (docs/adr/0013)
            consent = citizen.locator("#consent-list")
            expect(consent).to_contain_text("Dinas Penanaman Modal dan PTSP Kota Bandung")
            expect(consent).to_contain_text("Dinas Kesehatan Kota Bandung")
            expect(consent.locator("tbody tr")).to_have_count(4)
            citizen.click("#consent-agree")
            citizen.wait_for_load_state()
            assert "/tanda-terima/" in citizen.url, citizen.locator("main").inner_text()
            code = citizen.locator("#tracking-code").inner_text().strip()
            assert re.fullmatch(r"3273-SIPDOKTER-\d{4}-0001", code), code
            detail_path = re.sub(r"tanda-terima/$", "", urlparse(citizen.url).path)
            _holding(citizen, server, detail_path, opd=DPMPTSP,
                     step="Verifikasi administrasi (front office)")

            # 3a. Dinkes has no part in it yet: not in its worklist, and "not found" by URL
            sign_in(health, server, HEALTH_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/kelola/permohonan/")
            table = _worklist(health, server)
            expect(table).to_contain_text("Tidak ada permohonan")
            expect(table).not_to_contain_text(code)

            # 2. the DPMPTSP front office verifies, ticks the checklist and accepts
            sign_in(front, server, FRONT_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/kelola/permohonan/")
            front.click(f"text={code}")
            front.wait_for_load_state()
            staff_path = urlparse(front.url).path
            response = health.goto(server.url(staff_path, BANDUNG))
            assert response is not None and response.status == 404
            _staff_action(front, "start_verification")
            boxes = front.locator("input[data-checklist]")
            assert boxes.count() >= 2
            for box in boxes.all():
                box.check()
            _staff_action(front, "accept")
            expect(front.locator(".route-now")).to_contain_text(f"Berkas sekarang di {DINKES}")
            # the front office no longer holds it: no action left, gone from its worklist
            expect(front.locator("button[data-action]")).to_have_count(0)
            expect(_worklist(front, server)).not_to_contain_text(code)
            _holding(citizen, server, detail_path, opd=DINKES,
                     step="Verifikasi teknis dan rekomendasi (Dinas Kesehatan)")

            # 3b. now it is in the Dinkes worklist; the officer records the check and forwards
            table = _worklist(health, server)
            expect(table).to_contain_text(code)
            expect(table).to_contain_text(DINKES)
            health.click(f"text={code}")
            health.wait_for_load_state()
            expect(health.locator("button[data-action=approve]")).to_have_count(0)
            health.fill("#record-nomor_str_terverifikasi", STR_NUMBER)
            health.fill("#record-masa_berlaku_str", "seumur hidup")
            health.set_input_files("#record-rekomendasi_teknis", files=[
                {"name": "rekomendasi-dinkes.pdf", "mimeType": "application/pdf",
                 "buffer": RECOMMENDATION}])
            _staff_action(health, "forward")
            expect(health.locator(".route-now")).to_contain_text(f"Berkas sekarang di {DPMPTSP}")
            expect(health.locator("button[data-action]")).to_have_count(0)
            _holding(citizen, server, detail_path, opd=DPMPTSP,
                     step="Keputusan dan penandatanganan (DPMPTSP)")

            # 4. the head of DPMPTSP decides; "complete" waits for the output document
            sign_in(head, server, HEAD_EMAIL, PASSWORD,
                    host=BANDUNG, next_path="/kelola/permohonan/")
            head.goto(server.url(staff_path, BANDUNG))
            _staff_action(head, "approve")
            expect(head.locator("li.route-step.current")).to_contain_text("Penyerahan SIP")
            expect(head.locator("button[data-action=complete]")).to_have_count(0)
            _holding(citizen, server, detail_path, opd=DPMPTSP, step="Penyerahan SIP")
            head.click("#generate-output")
            expect(head.locator(".messages")).to_contain_text("diterbitkan")
            _staff_action(head, "complete")

            # 5. the citizen's page: done, with the route across both OPDs
            citizen.goto(server.url(detail_path, BANDUNG))
            expect(citizen.locator(".badge").first).to_contain_text("Selesai")
            expect(citizen.locator("#download-output")).to_be_visible()
            expect(citizen.locator(".route-now")).to_have_count(0)
            rows = citizen.locator("ol.route li.route-step")
            expected = [
                ("Verifikasi administrasi (front office)", DPMPTSP, "Diteruskan"),
                ("Verifikasi teknis dan rekomendasi (Dinas Kesehatan)", DINKES, "Diteruskan"),
                ("Keputusan dan penandatanganan (DPMPTSP)", DPMPTSP, "Disetujui"),
                ("Penyerahan SIP", DPMPTSP, "Diserahkan"),
            ]
            expect(rows).to_have_count(len(expected))
            for row, (step, opd, outcome) in zip(rows.all(), expected, strict=True):
                expect(row).to_contain_text(f"{step} · {opd}")
                expect(row).to_contain_text(re.compile(f"selesai {WHEN} · {outcome}"))
            expect(citizen.locator("ol.route")).not_to_contain_text("Pemeriksaan lapangan")
            timeline = citizen.locator("ol.timeline")
            for status in ("Diajukan", "Sedang diverifikasi", "Sedang diproses", "Disetujui", "Selesai"):
                expect(timeline).to_contain_text(status)

            # the Dinkes step kept what the officer recorded, the PDF included
            out = server.shell(STEP_RECORD.replace("CODE", repr(code))).splitlines()[-1]
            digest = hashlib.sha256(RECOMMENDATION).hexdigest()
            assert out == f"ok dinkes {STR_NUMBER} | seumur hidup | {digest}", out
        except Exception:
            print(server.server_log())
            raise
        finally:
            browser.close()
