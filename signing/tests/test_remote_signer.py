"""The BSrE-style remote signer against a local fake signing service: the PDF leaves the
machine, the signing key stays with the service (no key of ours is created or used)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def _service_key_and_cert():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Segel Elektronik Fake BSrE")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, cert


@pytest.fixture
def fake_bsre():
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from signing.pades import LoadedKeySigner, asn1_certificate

    key, cert = _service_key_and_cert()
    asn1 = asn1_certificate(cert.public_bytes(serialization.Encoding.DER))
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                         **{k: v for k, v in body.items() if k != "file"}})
            if body.get("passphrase") != "rahasia":
                self.send_response(401)
                self.end_headers()
                return
            pdf = base64.b64decode(body["file"][0])
            out = signers.sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(pdf)),
                signers.PdfSignatureMetadata(field_name="BSrE"),
                signer=LoadedKeySigner(certificate=asn1, key=key, chain=[]),
            )
            answer = json.dumps({"file": [base64.b64encode(out.getvalue()).decode()]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_the_remote_signer_sends_the_pdf_and_gets_it_back_signed_by_the_service(
    fake_bsre, settings, db
):
    from weasyprint import HTML

    from signing.models import Credential
    from signing.remote import RemoteSigner
    from signing.signers import SignRequest

    url, seen = fake_bsre
    settings.MPP_BSRE_URL, settings.MPP_BSRE_USER, settings.MPP_BSRE_PASSWORD = url, "mpp", "pw"
    settings.MPP_BSRE_SEAL_ID, settings.MPP_BSRE_SEAL_PASSPHRASE = "SEAL-1", "rahasia"
    pdf = HTML(string="<p>Surat Izin</p>").write_pdf()

    signed = RemoteSigner.from_settings().sign(SignRequest(
        pdf=pdf, signatory="Dr. Bambang", position="Kepala Dinas", agency="DPMPTSP",
        tenant="Kota Bandung", document="SIP No. 1"))

    assert signed.signer == "bsre" and signed.pdf.startswith(pdf[:8])
    assert len(signed.certificate_fingerprint) == 64
    assert seen[0]["path"] == "/api/v2/sign/pdf" and seen[0]["auth"].startswith("Basic ")
    assert seen[0]["idSubscriber"] == "SEAL-1"
    assert seen[0]["signatureProperties"][0]["signerName"] == "Dr. Bambang"
    assert not Credential.objects.exists()  # no key of ours was made or used


def test_a_refusing_service_is_a_retryable_failure_without_secrets_in_the_message(
    fake_bsre, settings, db
):
    from signing.remote import RemoteSigner
    from signing.signers import SignerUnavailable, SignRequest

    url, _seen = fake_bsre
    settings.MPP_BSRE_URL, settings.MPP_BSRE_SEAL_PASSPHRASE = url, "salah-sandi"

    with pytest.raises(SignerUnavailable) as exc:
        RemoteSigner.from_settings().sign(SignRequest(
            pdf=b"%PDF-1.7\n", signatory="", position="", agency="", tenant="", document=""))

    assert str(exc.value) == "BSrE: HTTP 401"
    assert "salah-sandi" not in str(exc.value)
