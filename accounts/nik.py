"""Nomor Induk Kependudukan (NIK): format check and masking.

Layout of the 16 digits: PP KK CC DDMMYY SSSS — province, kab/kota, kecamatan (Kemendagri
codes), birth date (women: day + 40) and a serial number. Only the format is checked here;
whether the NIK exists is Dukcapil's to say.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from regions import reference
from regions.codes import InvalidCode, normalize_code

_SIXTEEN_DIGITS = re.compile(r"^\d{16}$")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class NikInfo:
    province_code: str  # "32"
    regency_code: str  # "32.73"
    district_code: str  # "32.73.01"
    birth_date: dt.date
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    nik: str = ""
    # False when the kab/kota code is not in today's list (a code from before a split)
    regency_known: bool = True


def normalize_nik(value: object) -> str:
    """Drop whitespace people type between digit groups ("3273 0101 …")."""
    return _WHITESPACE.sub("", str(value or ""))


def validate_nik(value: object, *, today: dt.date | None = None) -> NikInfo:
    """Check a NIK's format; raise ValidationError with a specific Indonesian message."""
    nik = normalize_nik(value)
    if not _SIXTEEN_DIGITS.match(nik):
        raise ValidationError(
            _("NIK harus terdiri dari 16 digit angka (saat ini %(count)d karakter).")
            % {"count": len(nik)},
            code="nik_format",
        )
    province_code, regency_code, district_code, regency_known = _region_codes(nik)
    birth_date, sex = _birth_date_and_sex(nik[6:12], today=today or timezone.localdate())
    return NikInfo(
        province_code=province_code, regency_code=regency_code, district_code=district_code,
        birth_date=birth_date, sex=sex, nik=nik, regency_known=regency_known,
    )


def _region_codes(nik: str) -> tuple[str, str, str, bool]:
    """The region codes of a NIK: the place *and time* it was issued (reference/domain.md).

    A NIK keeps the code of its kab/kota when the NIK was issued, so codes retired by later
    splits stay valid for life: e.g. 92.01 Kab. Sorong (Papua Barat Daya since UU 29/2022,
    now 96.01), 91.01 Merauke (Papua Selatan since UU 14/2022, now 93.01), 64.05 Bulungan
    (Kalimantan Utara since UU 20/2012, now 65.01). Every province code issued since NIKs were
    introduced (UU 23/2006) is still a province today, so the province must be in the current
    Kemendagri list; the kab/kota and kecamatan are checked for their *form* only (kabupaten
    01-69, kota 71-99, kecamatan not 00), and a kab/kota missing from today's list is accepted
    with ``regency_known=False`` instead of refusing a real person's NIK."""
    province_code = nik[0:2]
    regency_code = f"{nik[0:2]}.{nik[2:4]}"
    district_code = f"{regency_code}.{nik[4:6]}"
    try:
        normalize_code(district_code)
    except InvalidCode as exc:
        raise ValidationError(
            _("Kode wilayah pada NIK (6 digit pertama: %(code)s) tidak valid: %(reason)s.")
            % {"code": nik[0:6], "reason": exc.reason},
            code="nik_region",
        ) from exc
    if reference.province(province_code) is None:
        raise ValidationError(
            _("Kode provinsi %(code)s pada NIK (2 digit pertama) tidak dikenal.")
            % {"code": province_code},
            code="nik_province",
        )
    regency_known = reference.regency(regency_code) is not None
    return province_code, regency_code, district_code, regency_known


def _birth_date_and_sex(digits: str, *, today: dt.date) -> tuple[dt.date, str]:
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    if not 1 <= day <= 31:
        raise ValidationError(
            _(
                "Tanggal lahir pada NIK (digit 7-8: %(digits)s) tidak valid: harus 01-31 untuk "
                "laki-laki atau 41-71 untuk perempuan."
            ) % {"digits": digits[0:2]},
            code="nik_birth_day",
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            _("Bulan lahir pada NIK (digit 9-10: %(digits)s) tidak valid: harus 01-12.")
            % {"digits": digits[2:4]},
            code="nik_birth_month",
        )
    # Two-digit year: prefer the most recent century that does not put the date in the future.
    candidates = []
    for century in (2000, 1900):
        try:
            candidates.append(dt.date(century + year2, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValidationError(
            _("Tanggal lahir pada NIK (%(day)02d-%(month)02d) tidak ada dalam kalender.")
            % {"day": day, "month": month},
            code="nik_birth_date",
        )
    for candidate in candidates:
        if candidate <= today:
            return candidate, sex
    raise ValidationError(
        _("Tanggal lahir pada NIK (%(date)s) berada di masa depan.")
        % {"date": candidates[-1].strftime("%d-%m-%Y")},
        code="nik_birth_future",
    )


def mask_nik(nik: object) -> str:
    """"3273010101900001" → "3273********0001" (first 4 and last 4 digits kept)."""
    value = normalize_nik(nik)
    keep = 4
    if len(value) <= 2 * keep:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]
