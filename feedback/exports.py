"""Complaint export shaped for forwarding to SP4N-LAPOR! (domain.md §8.1; no live API yet).

Fields follow UU 25/2009 Pasal 42 (identity unless anonymous, shortfall, loss, remedy,
place/date) plus LAPOR!'s tracking ID, anonymity/confidentiality flags, the instansi tujuan
and the working-day timeline. For confidential complaints the identity is withheld in the
export (flag ``rahasia`` set): it stays with the tenant's complaint-handling unit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from .models import Complaint

LAPOR_FIELDS = (
    "tracking_id", "tanggal_laporan", "judul", "isi_laporan", "kategori", "instansi_tujuan",
    "layanan", "rujukan", "lokasi_kejadian", "tanggal_kejadian", "kerugian", "tuntutan",
    "anonim", "rahasia", "nama_pelapor", "alamat_pelapor", "kontak_pelapor", "status",
    "batas_verifikasi", "batas_tindak_lanjut", "batas_selesai", "tindak_lanjut", "asal",
)


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def lapor_row(complaint: Complaint) -> dict[str, Any]:
    identity = complaint.identity == Complaint.Identity.OPEN
    return {
        "tracking_id": complaint.tracking_code,
        "tanggal_laporan": _iso(complaint.created_at),
        "judul": complaint.title,
        "isi_laporan": complaint.shortfall,
        "kategori": "Pelayanan Publik",
        "instansi_tujuan": complaint.agency.name if complaint.agency_id else "",
        "layanan": complaint.offering.service_code if complaint.offering_id else "",
        "rujukan": complaint.reference,
        "lokasi_kejadian": complaint.place,
        "tanggal_kejadian": _iso(complaint.incident_date),
        "kerugian": complaint.loss,
        "tuntutan": complaint.remedy,
        "anonim": complaint.identity == Complaint.Identity.ANONYMOUS,
        "rahasia": complaint.identity == Complaint.Identity.CONFIDENTIAL,
        "nama_pelapor": complaint.name if identity else "",
        "alamat_pelapor": complaint.address if identity else "",
        "kontak_pelapor": complaint.contact if identity else "",
        "status": complaint.status,
        "batas_verifikasi": _iso(complaint.verify_due),
        "batas_tindak_lanjut": _iso(complaint.respond_due),
        "batas_selesai": _iso(complaint.close_due),
        "tindak_lanjut": complaint.response,
        "asal": complaint.origin,
    }


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in citizen text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def lapor_csv(complaints: Iterable[Complaint]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LAPOR_FIELDS)
    writer.writeheader()
    for complaint in complaints:
        writer.writerow({key: _cell(value) for key, value in lapor_row(complaint).items()})
    return buffer.getvalue()
