"""Pluggable signers behind one interface. `MPP_SIGNER` picks one per deployment:

- `local` (default): the deployment CA's per-tenant certificate and the in-process TSA
  (signing.authority); works on a fresh machine.
- `bsre`: a BSrE-style remote signing service (signing.remote); the PDF leaves the machine,
  the key never arrives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings


@dataclass(frozen=True)
class SignRequest:
    pdf: bytes
    signatory: str  # the official who decided, as the document names them
    position: str
    agency: str
    tenant: str
    document: str  # e.g. "Surat Izin Praktik Dokter No. 3273-.../A1B2C3"


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    signer: str
    certificate_fingerprint: str


class SignerUnavailable(Exception):
    """The signer could not sign now (network, remote refusal, key unreadable): retry later.
    The message is safe to show to staff (never key material or credentials)."""


class OutputSigner(Protocol):
    code: str

    def sign(self, request: SignRequest) -> SignedPdf: ...


class LocalSigner:
    code = "local"

    def sign(self, request: SignRequest) -> SignedPdf:
        from . import authority, pades

        signer_key = authority.tenant_signer()
        tsa_key = authority.tsa()
        root = authority.ca()
        chain = [pades.asn1_certificate(root.der)]
        signed = pades.sign(
            request.pdf,
            signer=pades.LoadedKeySigner(certificate=pades.asn1_certificate(signer_key.der),
                                         key=signer_key.key, chain=chain),
            timestamper=pades.LocalTimeStamper(certificate=pades.asn1_certificate(tsa_key.der),
                                               key=tsa_key.key, chain=chain),
            trust_roots=chain, crls=[authority.crl_der()],
            appearance=appearance_for(request),
        )
        return SignedPdf(signed, self.code, signer_key.fingerprint)


def appearance_for(request: SignRequest):  # -> pades.Appearance
    from .pades import Appearance

    reason = ", ".join(part for part in (request.position, request.agency) if part)
    if request.document:
        reason = f"{reason} - {request.document}" if reason else request.document
    return Appearance(name=request.signatory, reason=reason[:250], location=request.tenant)


def signer_for_deployment() -> OutputSigner:
    code = getattr(settings, "MPP_SIGNER", "local") or "local"
    if code == "bsre":
        from .remote import RemoteSigner

        return RemoteSigner.from_settings()
    return LocalSigner()
