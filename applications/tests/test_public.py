"""Public tracking (minimal data, rate limit) and the output verification page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import StaffRole
from applications.services import output_generate
from applications.statemachine import application_transition


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_tracking_shows_the_timeline_with_the_right_last_digits_only(client_a, submit_kk, citizen):
    app = submit_kk()
    wrong = client_a.post("/lacak/", {"kode": app.tracking_code, "digits": "9999"})
    assert wrong.status_code == 404
    assert app.tracking_code not in wrong.content.decode().split("</form>")[-1]
    ok = client_a.post("/lacak/", {"kode": app.tracking_code.lower(), "digits": "7890"})
    html = ok.content.decode()
    assert ok.status_code == 200 and "Diajukan" in html
    # no personal data beyond the code: no name, NIK, phone, form answers
    assert citizen.full_name not in html
    assert "3273014101900001" not in html and "7890" not in html.split("</form>")[-1]
    assert "Perubahan pendidikan" not in html


def test_tracking_is_rate_limited_per_ip(client_a, submit_kk, settings):
    settings.MPP_TRACKING_RATE_LIMIT = 3
    app = submit_kk()
    codes = [client_a.post("/lacak/", {"kode": app.tracking_code, "digits": "0000"}).status_code
             for _ in range(3)]
    limited = client_a.post("/lacak/", {"kode": app.tracking_code, "digits": "7890"})
    assert codes == [404, 404, 404]
    assert limited.status_code == 429
    assert "Terlalu banyak pencarian" in limited.content.decode()
    assert limited["Retry-After"] == "60"


def _issue(app, officer, tenant, in_tenant):
    with in_tenant(tenant):
        for action in ("start_verification", "accept", "approve"):
            application_transition(application_id=app.pk, action=action, actor=officer)
        issued = output_generate(application_id=app.pk, actor=officer,
                                 base_url="http://kota-bandung.localhost")
        from signing.services import output_sign

        output_sign(application_id=app.pk)  # what the on-commit signing task does
        issued.refresh_from_db()
        return issued


def test_verification_page_confirms_genuine_and_detects_tampering(
    client_a, client_b, submit_kk, staff, kk_offering, citizen, tenant_a, in_tenant
):
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = _issue(submit_kk(), officer, tenant_a, in_tenant)
    client_a.force_login(citizen)
    pdf = b"".join(client_a.get(f"/permohonan/{app.pk}/dokumen-keluaran/").streaming_content)
    assert pdf.startswith(b"%PDF-")
    from applications.services import output_token

    with in_tenant(tenant_a):
        token = output_token(app)
    client_a.logout()
    page = client_a.get(f"/verifikasi/{token}/").content.decode()
    assert 'data-verified="true"' in page
    assert "Si** Wa***" not in page or citizen.full_name not in page
    assert citizen.full_name not in page
    assert app.output_name in page
    # a tampered token is not genuine
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert 'data-verified="false"' in client_a.get(f"/verifikasi/{tampered}/").content.decode()
    # the same token on another tenant's host is not genuine there
    assert 'data-verified="false"' in client_b.get(f"/verifikasi/{token}/").content.decode()
    # the downloaded file is identical; a modified file is not
    same = client_a.post(f"/verifikasi/{token}/",
                         {"file": SimpleUploadedFile("d.pdf", pdf)}).content.decode()
    assert "identik" in same
    changed = client_a.post(f"/verifikasi/{token}/",
                            {"file": SimpleUploadedFile("d.pdf", pdf + b"x")}).content.decode()
    assert "BERBEDA" in changed
    # changing the issued data in the database invalidates the token
    with in_tenant(tenant_a):
        app.output_valid_until = app.output_issued_at.date().replace(year=2099)
        app.save()
    assert 'data-verified="false"' in client_a.get(f"/verifikasi/{token}/").content.decode()


def test_output_pdf_embeds_the_verification_url(submit_kk, staff, kk_offering, tenant_a, in_tenant):
    import zlib

    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    app = _issue(submit_kk(), officer, tenant_a, in_tenant)
    with in_tenant(tenant_a):
        raw = app.output_file.open("rb").read()
    texts = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            texts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    assert any(b"/verifikasi/" in t for t in texts)
