"""pyHanko glue: apply a PAdES signature (B-LT: RFC 3161 timestamp, certificate chain and CRL
in the document security store) and read one back for the verification page.

The in-memory signer and timestamper keep the loaded key object: pyHanko's SimpleSigner and
DummyTimeStamper reload (and re-validate) the RSA key from DER on every call, which costs
~80 ms each with OpenSSL 3."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import cms
from asn1crypto import core as asn1_core
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import (
    as_signing_certificate,
    get_pyca_cryptography_hash,
    simple_cms_attribute,
)
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)
FIELD_NAME = "TTE"
BYTES_RESERVED = 16384  # CMS: 2-3 certificates, the signature, the timestamp token
MAX_VERIFY_BYTES = 20 * 1024 * 1024


def asn1_certificate(der: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(der)


def _pkcs8(key: Any) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


class LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that signs with an already loaded RSA key (PKCS#1 v1.5)."""

    def __init__(self, *, certificate: asn1_x509.Certificate, key: Any,
                 chain: list[asn1_x509.Certificate]) -> None:
        super().__init__(signing_cert=certificate, signing_key=_pkcs8(key),
                         cert_registry=SimpleCertificateStore.from_certs(chain))
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


class LocalTimeStamper(DummyTimeStamper):
    """The deployment's in-process RFC 3161 TSA (pyHanko's DummyTimeStamper, loaded key)."""

    def __init__(self, *, certificate: asn1_x509.Certificate, key: Any,
                 chain: list[asn1_x509.Certificate]) -> None:
        super().__init__(tsa_cert=certificate, tsa_key=_pkcs8(key),
                         certs_to_embed=SimpleCertificateStore.from_certs(chain))
        self._key = key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: dt.datetime
                       ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": asn1_core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(),
                                   get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


@dataclass(frozen=True)
class Appearance:
    """What the signature dictionary says (shown by PDF readers and our verification page)."""

    name: str
    reason: str
    location: str
    contact: str = ""


def sign(pdf: bytes, *, signer: signers.Signer, timestamper: Any,
         trust_roots: list[asn1_x509.Certificate], crls: list[bytes],
         appearance: Appearance) -> bytes:
    """PAdES-B-LT: CAdES-style signed attributes, a signature timestamp, and the chain and
    CRLs of signer and TSA embedded in the DSS, so the signature validates offline later."""
    context = ValidationContext(
        trust_roots=trust_roots, crls=[asn1_crl.CertificateList.load(c) for c in crls],
        allow_fetching=False, revocation_mode="hard-fail",
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        embed_validation_info=True, validation_context=context, use_pades_lta=False,
        name=appearance.name or None, reason=appearance.reason or None,
        location=appearance.location or None, contact_info=appearance.contact or None,
    )
    logging.getLogger("pyhanko.sign.signers.pdf_signer").setLevel(logging.ERROR)
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer,
                           timestamper=timestamper, bytes_reserved=BYTES_RESERVED)
    return out.getvalue()


def signed_revision_sha256(pdf: bytes) -> str:
    """sha256 of the file up to the end of the (first) signature's byte range."""
    reader = PdfFileReader(io.BytesIO(pdf))
    signature = reader.embedded_signatures[0]
    start, length = signature.byte_range[2], signature.byte_range[3]
    return hashlib.sha256(pdf[: start + length]).hexdigest()


# --------------------------------------------------------------------------- verification


@dataclass
class SignatureReport:
    field_name: str = ""
    intact: bool = False  # the signed bytes are unchanged and the signature math holds
    trusted: bool = False  # the signer certificate chains to the given root(s), not revoked
    unchanged_after: bool = False  # nothing but DSS/timestamps added after signing
    timestamped: bool = False
    timestamp_trusted: bool = False
    signed_at: dt.datetime | None = None  # the timestamp's time, else the claimed time
    signer_subject: str = ""
    signer_organization: str = ""
    signer_common_name: str = ""
    name: str = ""
    reason: str = ""
    location: str = ""
    revision_sha256: str = ""
    revocation_embedded: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.unchanged_after


@dataclass
class PdfReport:
    readable: bool = False
    signatures: list[SignatureReport] = field(default_factory=list)
    file_sha256: str = ""


def _text(value: Any) -> str:
    return str(value) if value is not None else ""


def verify(pdf: bytes, *, trust_roots: list[asn1_x509.Certificate]) -> PdfReport:
    """Validate every signature in `pdf` against `trust_roots`, offline, using only the
    revocation information the document carries (hard-fail: missing revinfo = untrusted)."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    report = PdfReport(file_sha256=hashlib.sha256(pdf).hexdigest())
    if len(pdf) > MAX_VERIFY_BYTES or not pdf.lstrip()[:5] == b"%PDF-":
        return report
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
        dss = DocumentSecurityStore.read_dss(reader) if _has_dss(reader) else None
    except Exception:  # an unreadable or hostile file: not a document we can vouch for
        logger.info("verification: unreadable PDF", exc_info=True)
        return report
    report.readable = True
    kwargs = {"trust_roots": trust_roots, "allow_fetching": False,
              "revocation_mode": "hard-fail"}
    for signature in embedded:
        item = SignatureReport(field_name=_text(signature.field_name))
        sig_dict = signature.sig_object
        item.name = _text(sig_dict.get("/Name"))
        item.reason = _text(sig_dict.get("/Reason"))
        item.location = _text(sig_dict.get("/Location"))
        try:
            cert = signature.signer_cert
            item.signer_subject = cert.subject.human_friendly
            native = cert.subject.native
            item.signer_organization = _text(native.get("organization_name"))
            item.signer_common_name = _text(native.get("common_name"))
            start, length = signature.byte_range[2], signature.byte_range[3]
            item.revision_sha256 = hashlib.sha256(pdf[: start + length]).hexdigest()
            item.revocation_embedded = dss is not None and bool(dss.crls or dss.ocsps)
            context = (dss.as_validation_context(kwargs) if dss is not None
                       else ValidationContext(**{**kwargs, "revocation_mode": "soft-fail"}))
            status = validate_pdf_signature(signature, context)
            item.intact = bool(status.intact and status.valid)
            item.trusted = bool(status.trusted and not status.revoked)
            level = status.modification_level
            item.unchanged_after = level is not None and level <= ModificationLevel.LTA_UPDATES
            if status.timestamp_validity is not None:
                item.timestamped = True
                item.timestamp_trusted = bool(status.timestamp_validity.trusted)
                item.signed_at = status.timestamp_validity.timestamp
            else:
                item.signed_at = status.signer_reported_dt
        except Exception as exc:
            logger.info("verification: signature not checkable", exc_info=True)
            item.problems.append(type(exc).__name__)
        report.signatures.append(item)
    return report


def _has_dss(reader: PdfFileReader) -> bool:
    try:
        return "/DSS" in reader.root
    except Exception:
        return False
