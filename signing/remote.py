"""BSrE-style remote signing (BSSN's Balai Sertifikasi Elektronik, esign-client API v2 shape):
the unsigned PDF is sent to the signing service, which signs with a key it holds (the OPD's
electronic seal, `MPP_BSRE_SEAL_ID` + passphrase) and returns the signed PDF. The key never
arrives here; the passphrase and credentials come from the environment and are never logged."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .signers import SignedPdf, SignerUnavailable, SignRequest, appearance_for

SIGN_PATH = "/api/v2/sign/pdf"


@dataclass(frozen=True)
class RemoteSigner:
    url: str
    user: str
    password: str
    seal_id: str
    passphrase: str
    timeout: int = 30
    code: str = "bsre"

    @classmethod
    def from_settings(cls) -> RemoteSigner:
        return cls(url=settings.MPP_BSRE_URL, user=settings.MPP_BSRE_USER,
                   password=settings.MPP_BSRE_PASSWORD, seal_id=settings.MPP_BSRE_SEAL_ID,
                   passphrase=settings.MPP_BSRE_SEAL_PASSPHRASE,
                   timeout=settings.MPP_BSRE_TIMEOUT)

    def _body(self, request: SignRequest) -> bytes:
        look = appearance_for(request)
        return json.dumps({
            "idSubscriber": self.seal_id, "passphrase": self.passphrase,
            "signatureProperties": [{
                "tampilan": "INVISIBLE", "reason": look.reason, "location": look.location,
                "signerName": look.name,
            }],
            "file": [base64.b64encode(request.pdf).decode()],
        }).encode()

    def sign(self, request: SignRequest) -> SignedPdf:
        if not self.url:
            raise SignerUnavailable("BSrE: MPP_BSRE_URL is not set")
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        http_request = urllib.request.Request(  # noqa: S310 - configured https URL
            self.url.rstrip("/") + SIGN_PATH, data=self._body(request), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read(64 * 1024 * 1024))
        except urllib.error.HTTPError as exc:
            raise SignerUnavailable(f"BSrE: HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SignerUnavailable(f"BSrE: {type(exc).__name__}") from exc
        except ValueError as exc:
            raise SignerUnavailable("BSrE: unreadable response") from exc
        try:
            pdf = base64.b64decode(payload["file"][0], validate=True)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise SignerUnavailable("BSrE: response without a signed file") from exc
        return SignedPdf(pdf, self.code, _signer_fingerprint(pdf))


def _signer_fingerprint(pdf: bytes) -> str:
    """The signer certificate of the returned PDF; refuses a file without a signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        cert = signatures[0].signer_cert
    except Exception as exc:
        raise SignerUnavailable("BSrE: the returned file is not a signed PDF") from exc
    return hashlib.sha256(cert.dump()).hexdigest()
