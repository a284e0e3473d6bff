"""Issue 15: every generated output carries a PAdES signature (B-LT) that an independent
validator (pyHanko's own API, outside our code path) accepts against the exported CA."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from .conftest import output_bytes


def _independent_status(pdf: bytes, ca_pem_path):
    """pyHanko alone: trust only the exported CA, fetch nothing, and require revocation
    information for every certificate (hard-fail) - which must come from the PDF's DSS."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature

    _type, _headers, der = pem.unarmor(ca_pem_path.read_bytes())
    root = asn1_x509.Certificate.load(der)
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    context = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    return signature, validate_pdf_signature(signature, context)


def test_the_issued_output_validates_intact_and_trusted_and_one_changed_byte_breaks_it(
    issue_sip, tenant_a, in_tenant, tmp_path
):
    # given an issued SIP output (signed on commit)
    app = issue_sip()
    pdf = output_bytes(app, tenant_a, in_tenant)
    # and the deployment CA as a relying party gets it
    ca_path = tmp_path / "ca.pem"
    call_command("signing_ca", "--export", str(ca_path))

    # when pyHanko validates it offline against that CA only
    signature, status = _independent_status(pdf, ca_path)

    # then it is intact, valid, trusted, timestamped by a trusted TSA, PAdES, with the chain
    # and revocation info embedded (hard-fail with no fetching passed)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "Bambang" in str(signature.sig_object["/Name"])
    assert status.signing_cert.subject.native["common_name"] == tenant_a.name

    # when one byte inside the signed range changes
    start = pdf.index(b"stream", 100) + 40
    assert start < signature.byte_range[1]  # inside the first signed range
    tampered = bytearray(pdf)
    tampered[start] ^= 0x01
    _sig, broken = _independent_status(bytes(tampered), ca_path)

    # then the same validator rejects it
    assert not broken.intact
    assert not broken.bottom_line


def test_a_document_is_withheld_until_signed_and_a_failed_signature_is_visible_and_retried(
    citizen, issue_sip, tenant_a, in_tenant, client_a, settings, django_capture_on_commit_callbacks
):
    from applications.models import Application
    from signing.models import SignatureJob

    # given the signing service is unreachable
    settings.MPP_SIGNER = "bsre"
    settings.MPP_BSRE_URL = "http://127.0.0.1:9"  # discard port: connection refused

    # when an output is issued
    app = issue_sip()

    # then nothing signed is claimed: the job failed, the staff page says so, the citizen
    # does not get the unsigned render
    with in_tenant(tenant_a):
        job = SignatureJob.objects.get(application_id=app.pk, schema_name=tenant_a.schema_name)
    assert job.state == "failed" and job.attempts == 1 and "BSrE" in job.last_error
    client_a.force_login(issue_sip.head)
    page = client_a.get(f"/kelola/permohonan/{app.pk}/")
    assert 'data-signature-state="failed"' in page.content.decode()
    client_a.force_login(citizen)
    assert client_a.get(f"/permohonan/{app.pk}/dokumen-keluaran/").status_code == 409

    # when the service is back and staff press retry
    settings.MPP_SIGNER = "local"
    client_a.force_login(issue_sip.head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/kelola/tanda-tangan/{app.pk}/ulang/")
    assert response.status_code == 302

    # then it is signed and handed out, signed
    with in_tenant(tenant_a):
        job.refresh_from_db()
        stored = Application.objects.get(pk=app.pk)
    assert job.state == "signed" and job.signed_sha256 == stored.output_sha256
    client_a.force_login(citizen)
    download = client_a.get(f"/permohonan/{app.pk}/dokumen-keluaran/")
    assert download.status_code == 200
    assert b"/ETSI.CAdES.detached" in b"".join(download.streaming_content)


def test_signing_again_is_a_no_op(issue_sip, tenant_a, in_tenant):
    from signing.services import output_sign

    app = issue_sip()
    with in_tenant(tenant_a):
        before = app.output_sha256
        job = output_sign(application_id=app.pk)
        app.refresh_from_db()
    assert job.state == "signed" and app.output_sha256 == before


@pytest.mark.parametrize("tamper", [False, True])
def test_the_verification_page_reports_signature_signer_time_chain_and_status(
    issue_sip, tenant_a, in_tenant, client_a, tamper
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # given an issued output, as the citizen got it (or with one byte changed)
    app = issue_sip()
    pdf = bytearray(output_bytes(app, tenant_a, in_tenant))
    if tamper:
        pdf[pdf.index(b"stream", 100) + 40] ^= 0x01

    # when anyone uploads it on the tenant's verification page
    page = client_a.post("/verifikasi/", {"file": SimpleUploadedFile("sip.pdf", bytes(pdf))})

    # then the page says, in Bahasa Indonesia, whether it is intact, who signed, when,
    # whether it chains to the deployment CA, and the document's status
    html = page.content.decode()
    assert page.status_code == 200
    if tamper:
        assert "TANDA TANGAN RUSAK" in html and 'data-tte-intact="false"' in html
    else:
        assert "TANDA TANGAN SAH" in html and 'data-tte-trusted="true"' in html
        assert "Dr. Bambang Kepala" in html
        assert "cap waktu RFC 3161 terpercaya" in html
        assert "Berantai ke CA deployment MPP Digital" in html
        assert f"Berlaku — {app.output_name}" in html


def test_a_revoked_document_shows_as_revoked(issue_sip, tenant_a, in_tenant, client_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Application

    app = issue_sip()
    pdf = output_bytes(app, tenant_a, in_tenant)
    with in_tenant(tenant_a):
        Application.objects.filter(pk=app.pk).update(status="cancelled")

    page = client_a.post("/verifikasi/", {"file": SimpleUploadedFile("sip.pdf", pdf)})

    assert "DOKUMEN DICABUT" in page.content.decode()
    assert 'data-tte-revoked="true"' in page.content.decode()


def test_another_tenants_page_reveals_nothing_beyond_the_pdf_and_changes_nothing(
    issue_sip, tenant_a, tenant_b, in_tenant, client_b
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Application
    from signing.models import Credential, SignatureJob

    # given tenant A's signed output
    app = issue_sip()
    pdf = output_bytes(app, tenant_a, in_tenant)
    with in_tenant(tenant_a):
        app_before = Application.objects.values().get(pk=app.pk)
    rows_before = (list(SignatureJob.objects.values().order_by("pk")),
                   list(Credential.objects.values().order_by("pk")))

    # when it is uploaded on tenant B's verification page
    page = client_b.post("/verifikasi/", {"file": SimpleUploadedFile("sip.pdf", pdf)})

    # then B says what the PDF itself says, and that the document is not one of B's
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tidak tercatat sebagai dokumen terbitan daerah ini" in html
    assert 'data-tte-revoked="false"' in html
    assert "berlaku sampai" not in html  # tenant A's record (validity) is not read
    assert app.tracking_code not in html.replace(app.output_number, "")
    # and nothing changed anywhere
    with in_tenant(tenant_a):
        assert Application.objects.values().get(pk=app.pk) == app_before
    assert (list(SignatureJob.objects.values().order_by("pk")),
            list(Credential.objects.values().order_by("pk"))) == rows_before


def test_an_unsigned_or_unreadable_upload_is_reported_as_such(client_a, tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.tests.conftest import PDF_BYTES

    unsigned = client_a.post("/verifikasi/", {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)})
    garbage = client_a.post("/verifikasi/", {"file": SimpleUploadedFile("a.pdf", b"MZ\x90")})

    assert 'data-tte="unsigned"' in unsigned.content.decode() or \
        'data-tte="unreadable"' in unsigned.content.decode()
    assert 'data-tte="unreadable"' in garbage.content.decode()
