"""Upload checks of the citizen's vault (docs/adr/0013) and the document types it knows.

The type is sniffed from the first bytes (PDF `%PDF-`, JPEG `FF D8 FF`, PNG
`89 50 4E 47 0D 0A 1A 0A`), never trusted from the name or the browser's content type; at
most `MPP_VAULT_MAX_UPLOAD_MB` (default 5) MB. Nothing is stored until every check passed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .errors import UploadRejected

SNIFF_BYTES = 16
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# A friendly name for well-known disguises (the message says what the file really is).
KNOWN_OTHER = (
    (b"MZ", _l("program Windows (.exe)")),
    (b"\x7fELF", _l("program")),
    (b"PK\x03\x04", _l("arsip ZIP/dokumen Office")),
    (b"GIF8", _l("gambar GIF")),
    (b"<", _l("halaman web/teks")),
)

DOCUMENT_TYPES = {
    "KTP": _l("KTP-el"), "KK": _l("Kartu Keluarga"), "KIA": _l("Kartu Identitas Anak"),
    "AKTA_KELAHIRAN": _l("Akta kelahiran"), "AKTA_KEMATIAN": _l("Akta kematian"),
    "AKTA_PERKAWINAN": _l("Akta perkawinan"), "AKTA_PERCERAIAN": _l("Akta perceraian"),
    "BUKU_NIKAH": _l("Buku nikah"), "SURAT_KETERANGAN_KELAHIRAN": _l("Surat keterangan kelahiran"),
    "SURAT_KETERANGAN_KEMATIAN": _l("Surat keterangan kematian"),
    "SURAT_KETERANGAN_PINDAH": _l("Surat keterangan pindah"),
    "SURAT_KETERANGAN_PERKAWINAN_AGAMA": _l("Surat keterangan perkawinan dari pemuka agama"),
    "SURAT_KEHILANGAN_KEPOLISIAN": _l("Surat kehilangan dari kepolisian"),
    "PUTUSAN_PENGADILAN": _l("Putusan/penetapan pengadilan"), "SPTJM": _l("SPTJM"),
    "PASPOR": _l("Paspor"), "PAS_FOTO": _l("Pas foto"), "DOKUMEN_PENDUKUNG": _l("Dokumen pendukung"),
    "STR": _l("Surat Tanda Registrasi (STR)"), "IJAZAH": _l("Ijazah"),
    "SURAT_KETERANGAN_TEMPAT_PRAKTIK": _l("Surat keterangan tempat praktik"),
    "BUKTI_SKP": _l("Bukti kecukupan SKP"), "SIP": _l("Surat Izin Praktik"),
}


def max_upload_bytes() -> int:
    return int(float(getattr(settings, "MPP_VAULT_MAX_UPLOAD_MB", 5)) * 1024 * 1024)


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(head: bytes) -> Sniffed | None:
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return Sniffed(content_type, extension)
    return None


def check_upload(upload: IO[bytes] | Any, *, name: str = "") -> tuple[Sniffed, int, str]:
    """Validate an uploaded file; returns (type, size, sha256). Raises UploadRejected with a
    message saying exactly what is wrong. Reads the file once, streaming."""
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    label = name or getattr(upload, "name", "") or _("berkas")
    if size is not None and size > limit:
        raise UploadRejected(
            _("Berkas %(name)s berukuran %(size)s MB, melebihi batas %(limit)s MB.")
            % {"name": label, "size": _mb(size), "limit": _mb(limit)},
            extra={"reason": "too_large"},
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if not head:
        raise UploadRejected(_("Berkas %(name)s kosong.") % {"name": label},
                             extra={"reason": "empty"})
    sniffed = sniff(head)
    if sniffed is None:
        what = next((text for sig, text in KNOWN_OTHER if head.startswith(sig)), None)
        message = (
            _("Berkas %(name)s bukan PDF, JPEG atau PNG (isinya %(what)s), walaupun namanya "
              "berakhiran seperti dokumen. Unggah hasil pindaian dalam format PDF, JPG atau PNG.")
            % {"name": label, "what": what}
            if what else
            _("Berkas %(name)s bukan PDF, JPEG atau PNG. Unggah hasil pindaian dalam format PDF, "
              "JPG atau PNG.") % {"name": label}
        )
        raise UploadRejected(message, extra={"reason": "type"})
    digest = hashlib.sha256(head)
    total = len(head)
    while chunk := upload.read(64 * 1024):
        total += len(chunk)
        if total > limit:
            raise UploadRejected(
                _("Berkas %(name)s melebihi batas %(limit)s MB.")
                % {"name": label, "limit": _mb(limit)}, extra={"reason": "too_large"},
            )
        digest.update(chunk)
    upload.seek(0)
    return sniffed, total, digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").replace(",0", "")
