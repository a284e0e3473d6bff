"""The default signer's key material: a deployment certificate authority created on first use,
a local RFC 3161 timestamping authority and one signing certificate per tenant, all issued by
that CA. Keys are generated here, sealed at rest (signing.crypto) and kept loaded in memory
per process; they are never logged and never leave the machine."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .crypto import seal, unseal
from .models import Credential

CA_NAME = "MPP Digital Deployment CA"
TSA_NAME = "MPP Digital Timestamping Authority"
CA_YEARS = 20
LEAF_DAYS = 2 * 365
RENEW_BEFORE = dt.timedelta(days=30)
CRL_DAYS = 7
_lock = threading.Lock()
_loaded: dict[str, Loaded] = {}
_crl_cache: dict[tuple[str, tuple[str, ...]], tuple[dt.datetime, bytes]] = {}


@dataclass(frozen=True)
class Loaded:
    credential_id: int
    fingerprint: str
    certificate: x509.Certificate
    key: Any  # an RSA private key object; never serialised outside signing.crypto

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def _name(common_name: str, organization: str, unit: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64])]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def crl_url() -> str:
    port = f":{settings.MPP_BASE_PORT}" if getattr(settings, "MPP_BASE_PORT", "") else ""
    return f"{settings.MPP_BASE_SCHEME}://{settings.MPP_BASE_DOMAIN}{port}/tte/ca.crl"


def _fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _store(kind: str, schema: str, certificate: x509.Certificate, key: Any) -> Credential:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return Credential.objects.create(
        kind=kind, schema_name=schema, subject=certificate.subject.rfc4514_string()[:300],
        serial_hex=format(certificate.serial_number, "x"),
        fingerprint_sha256=_fingerprint(certificate),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_sealed=seal(pem), not_after=certificate.not_valid_after_utc,
    )


def _load(credential: Credential) -> Loaded:
    cached = _loaded.get(credential.fingerprint_sha256)
    if cached is not None and cached.credential_id == credential.pk:
        return cached
    certificate = x509.load_pem_x509_certificate(credential.certificate_pem.encode())
    key = serialization.load_pem_private_key(unseal(credential.private_key_sealed), None)
    loaded = Loaded(credential.pk, credential.fingerprint_sha256, certificate, key)
    with _lock:
        _loaded[credential.fingerprint_sha256] = loaded
    return loaded


def _current(kind: str, schema: str = "") -> Credential | None:
    return Credential.objects.filter(kind=kind, schema_name=schema, state="current").first()


def _locked(name: str) -> None:
    """Serialise first-use creation across processes (released at transaction end)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"signing:{name}"])


def _new_key(bits: int = 2048) -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ca_credential() -> Credential:
    found = _current(Credential.Kind.CA)
    if found is not None:
        return found
    with transaction.atomic():
        _locked("ca")
        found = _current(Credential.Kind.CA)
        if found is not None:
            return found
        key = _new_key(3072)
        now = timezone.now()
        name = _name(CA_NAME, "MPP Digital")
        certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256())
        )
        return _store(Credential.Kind.CA, "", certificate, key)


def ca() -> Loaded:
    return _load(ca_credential())


def _issue(*, subject: x509.Name, key: Any, purpose: str) -> x509.Certificate:
    authority = ca()
    now = timezone.now()
    not_after = min(now + dt.timedelta(days=LEAF_DAYS),
                    authority.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder().subject_name(subject)
        .issuer_name(authority.certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority.certificate.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url())], None, None, None)]), critical=False)
    )
    if purpose == "tsa":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        ).add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    else:  # document signing: digitalSignature + nonRepudiation (contentCommitment)
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(authority.key, hashes.SHA256())


def _leaf_credential(kind: str, schema: str, subject: x509.Name, purpose: str) -> Credential:
    found = _current(kind, schema)
    if found is not None and found.not_after - timezone.now() > RENEW_BEFORE:
        return found
    with transaction.atomic():
        _locked(f"{kind}:{schema}")
        found = _current(kind, schema)
        if found is not None and found.not_after - timezone.now() > RENEW_BEFORE:
            return found
        if found is not None:  # close to expiry: a fresh certificate takes over
            Credential.objects.filter(pk=found.pk).update(state=Credential.State.RETIRED)
        key = _new_key()
        return _store(kind, schema, _issue(subject=subject, key=key, purpose=purpose), key)


def tsa() -> Loaded:
    return _load(_leaf_credential(
        Credential.Kind.TSA, "", _name(TSA_NAME, "MPP Digital"), "tsa"))


def tenant_subject(tenant: Any) -> x509.Name:
    name = getattr(tenant, "name", "") or connection.schema_name
    return _name(name, name, "MPP Digital")


def tenant_signer() -> Loaded:
    """The current tenant's signing certificate, issued on first use."""
    schema = connection.schema_name
    tenant = getattr(connection, "tenant", None)
    return _load(_leaf_credential(
        Credential.Kind.TENANT, schema, tenant_subject(tenant), "sign"))


def tenant_rotate(*, schema_name: str, revoke: bool = False) -> None:
    """Retire (or revoke, e.g. after a key compromise) the tenant's current certificate; the
    next signature gets a new one. Revoked certificates are listed in the CRL."""
    Credential.objects.filter(
        kind=Credential.Kind.TENANT, schema_name=schema_name, state="current"
    ).update(state=Credential.State.REVOKED if revoke else Credential.State.RETIRED,
             revoked_at=timezone.now() if revoke else None)


def crl_der() -> bytes:
    """The CA's current CRL (DER), re-signed hourly or when a certificate is revoked."""
    authority = ca()
    revoked = list(Credential.objects.filter(state=Credential.State.REVOKED)
                   .order_by("pk").values_list("serial_hex", "revoked_at"))
    cache_key = (authority.fingerprint, tuple(serial for serial, _when in revoked))
    now = timezone.now()
    cached = _crl_cache.get(cache_key)
    if cached is not None and now - cached[0] < dt.timedelta(hours=1):
        return cached[1]
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(authority.certificate.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority.certificate.public_key()), critical=False)
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
            .revocation_date(when or now).build())
    der = builder.sign(authority.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    with _lock:
        _crl_cache.clear()
        _crl_cache[cache_key] = (now, der)
    return der


def ca_pem() -> bytes:
    return ca_credential().certificate_pem.encode()


def credentials_reseal() -> int:
    """Rewrite every sealed key under the current secret (after rotating it)."""
    from .crypto import reseal

    count = 0
    for credential in Credential.objects.all():
        Credential.objects.filter(pk=credential.pk).update(
            private_key_sealed=reseal(credential.private_key_sealed))
        count += 1
    return count
