"""Browser journey: a kab/kota registers, is approved, provisioned, onboarded and goes live.

Kabupaten Boyolali (33.09) is used, NOT Kabupaten Sragen: kab-sragen (33.14) and kota-bandung
already exist in the test session fixtures. The browser (real Chromium through Playwright) talks
to a real `manage.py runserver --noreload` subprocess on a free port, against a throwaway
database created for this test on the same PostgreSQL server (migrated with `deploy_migrate`,
dropped at the end). The server uses `config.settings.test`, so Celery tasks run eagerly
(provisioning happens inside the approval request's on-commit) and email goes to the locmem
backend: the verification link is therefore computed with the server's settings through
`manage.py shell` instead of being read from a mailbox (email sending itself is covered by
onboarding/tests/test_registration.py).

Journey: register on the platform host (htmx kab/kota search, PDF letter) → verify email →
ministry approves in its console → status page polls to "ready" → registrant logs in on the
tenant host → wizard profile → prefill regions from the national list → upload a corrected CSV
with one renamed desa → the preview shows exactly that rename → apply → OPD, (catalogue
service), counter → go live.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import launch_chromium, require_browser, serving, sign_in

pytestmark = pytest.mark.browser
require_browser()

from playwright.sync_api import sync_playwright  # noqa: E402

REGION = "33.09"
PASSWORD = "Boyolali-Maju-2026"
MINISTRY_EMAIL = "kementerian.browser@menpan.go.id"
OFFICER_EMAIL = "siti@boyolali.go.id"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


SETUP = f"""
from tenants.services import public_tenant_ensure
from accounts.models import User
public_tenant_ensure()
User.objects.create_user(email={MINISTRY_EMAIL!r}, password={PASSWORD!r},
                         full_name='Pemeriksa Kementerian', ministry_role='admin')
print('ok')
"""


@pytest.fixture(scope="module")
def server():
    # no catalogue, no tenant: the journey starts from an empty platform
    with serving("mpp_browser", SETUP, prelude=False) as srv:
        yield srv


def _corrected_csv() -> tuple[bytes, str, str, str]:
    """Boyolali from the national list, with the name of its first desa changed."""
    from regions import reference

    districts = {d.code: d.name for d in reference.districts_of(REGION)}
    villages = list(reference.villages_of(REGION))
    target = villages[0]
    new_name = f"{target.name} Baru"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"])
    for village in villages:
        name = new_name if village.code == target.code else village.name
        writer.writerow([village.district_code, districts[village.district_code], village.code, name])
    return buffer.getvalue().encode(), target.code, target.name, new_name


def test_register_approve_provision_onboard_and_go_live(server):
    tenant_host = "kab-boyolali.localhost"
    csv_bytes, renamed_code, old_name, new_name = _corrected_csv()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            registrant = browser.new_context().new_page()
            ministry = browser.new_context().new_page()
            registrant.set_default_timeout(30_000)
            ministry.set_default_timeout(60_000)

            # 1. register on the platform host; the kab/kota comes from the htmx search
            registrant.goto(server.url("/daftar/"))
            registrant.fill("#id_regency_query", "boyolali")
            registrant.check(f"#regency-results input[value='{REGION}']")
            registrant.fill("#id_officer_name", "Siti Rahayu")
            registrant.fill("#id_officer_position", "Kepala DPMPTSP")
            registrant.fill("#id_officer_email", OFFICER_EMAIL)
            registrant.fill("#id_officer_phone", "0276 321 000")
            registrant.set_input_files(
                "#id_letter", {"name": "surat.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            registrant.fill("#id_password1", PASSWORD)
            registrant.fill("#id_password2", PASSWORD)
            registrant.click("#registration-form button.primary")
            registrant.wait_for_selector("text=Pendaftaran terkirim")

            # 2. the verification link (computed with the server's own settings)
            token = server.shell(
                "from django.core import signing\n"
                "from onboarding.models import Registration\n"
                "from onboarding.services import VERIFY_SALT\n"
                f"r = Registration.objects.get(region_code={REGION!r})\n"
                "print(signing.dumps(r.pk, salt=VERIFY_SALT))"
            ).splitlines()[-1]
            registrant.goto(server.url(f"/daftar/verifikasi/{token}/"))
            registrant.wait_for_selector("#registration-status[data-status=pending_approval]")
            status_url = registrant.url

            # 3. the ministry approves in its console
            sign_in(ministry, server, MINISTRY_EMAIL, PASSWORD,
                    host="localhost", next_path="/kementerian/pendaftaran/")
            ministry.click("text=Kabupaten Boyolali")
            ministry.click("#approve-button", timeout=120_000)  # a loaded 2-core machine is slow
            ministry.wait_for_selector("text=disetujui; tenant sedang disiapkan", timeout=60_000)

            # 4. the status page follows provisioning to ready (htmx polling every 2 s)
            registrant.goto(status_url)
            registrant.wait_for_selector("#registration-status[data-status=ready]",
                                         timeout=120_000)
            assert registrant.locator("li.done").count() == 5
            wizard_href = registrant.get_attribute("#wizard-link", "href")
            assert wizard_href == server.url("/kelola/orientasi/", tenant_host)

            # 5. the registrant logs in on the tenant host and starts the wizard
            sign_in(registrant, server, OFFICER_EMAIL, PASSWORD,
                    host=tenant_host, next_path="/kelola/orientasi/")
            registrant.wait_for_selector("text=Orientasi MPP Digital")
            registrant.click("a.button.primary:has-text('Lanjutkan')")
            assert registrant.input_value("#regency-name") == "Kabupaten Boyolali"
            registrant.fill("#id_address", "Jl. Pandanaran 1, Boyolali")
            registrant.fill("#id_contact_email", "mpp@boyolali.go.id")
            registrant.fill("#id_contact_phone", "0276 321 001")
            registrant.click("button:has-text('Simpan dan lanjut')")
            registrant.wait_for_selector("h1:has-text('Wilayah')")

            # 6. prefill regions from the national list (one click)
            registrant.click("text=Kelola wilayah")
            registrant.click("button:has-text('Isi dari daftar nasional')")
            registrant.wait_for_selector("text=Diisi dari daftar nasional")

            # 7. upload a corrected CSV → the preview shows exactly that one rename
            registrant.set_input_files(
                "#id_file", {"name": "boyolali-koreksi.csv", "mimeType": "text/csv",
                             "buffer": csv_bytes},
            )
            registrant.click("button:has-text('Unggah dan pratinjau')")
            registrant.wait_for_selector("#import-diff")
            assert "Lebar" in registrant.inner_text("#detected-layout")
            assert registrant.locator("tr.change-renamed").count() == 1
            row = registrant.inner_text("tr.change-renamed")
            assert renamed_code in row and old_name in row and new_name in row
            for kind in ("added", "moved", "inactivated", "reactivated"):
                assert registrant.inner_text(f"[data-count={kind}]") == "0"
            assert registrant.inner_text("[data-count=renamed]") == "1"

            # 8. apply
            registrant.click("button:has-text('Terapkan impor')")
            registrant.wait_for_selector("text=1 diganti nama")
            registrant.fill("#region-q", new_name)
            registrant.wait_for_selector(f"#village-table td:has-text('{renamed_code}')")

            # 9. remaining wizard steps
            registrant.goto(server.url("/kelola/orientasi/opd/", tenant_host))
            registrant.click("button:has-text('Tambah Disdukcapil')")
            registrant.wait_for_selector("text=OPD Dinas Kependudukan dan Pencatatan Sipil ditambahkan")
            registrant.goto(server.url("/kelola/orientasi/services/", tenant_host))
            if registrant.locator("text=Kelola layanan").count():
                # the catalogue app is installed: adopt one service the way its back office
                # does (services.services.offering_adopt), so the step is really done
                server.manage("load_catalog")
                server.shell(
                    "from django_tenants.utils import tenant_context\n"
                    "from tenants.models import Tenant\n"
                    "from catalog.models import ServiceVersion\n"
                    "from agencies.models import Agency\n"
                    "from services.services import offering_adopt\n"
                    f"t = Tenant.objects.get(region_code={REGION!r})\n"
                    "v = ServiceVersion.objects.filter(status='published').first()\n"
                    "with tenant_context(t):\n"
                    "    offering_adopt(service_version=v, agency=Agency.objects.first(),\n"
                    "                   channel='counter', actor=None)"
                )
            registrant.goto(server.url("/kelola/orientasi/counters/", tenant_host))
            registrant.fill("#id_code", "loket-1")
            registrant.fill("#id_name", "Loket 1")
            registrant.click("button:has-text('Tambah loket')")
            registrant.wait_for_selector("text=Loket Loket 1 ditambahkan")

            # 10. go live
            registrant.goto(server.url("/kelola/orientasi/golive/", tenant_host))
            registrant.click("#golive-button")
            registrant.wait_for_selector("#tenant-live")
            state = server.shell(
                "from tenants.models import Tenant\n"
                f"print(Tenant.objects.get(region_code={REGION!r}).state)"
            ).splitlines()[-1]
            assert state == "live"
        finally:
            browser.close()
