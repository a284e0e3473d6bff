"""Kemendagri administrative-area codes (Permendagri 58/2021, Kepmendagri 300.2.2-2138/2025).

Pure functions, no I/O. Codes are normalised to the dotted form:

=========  ===============  ======================================================
level      example          rule
=========  ===============  ======================================================
province   ``32``           2 digits, first digit 1-9
regency    ``32.73``        + 2 digits: kabupaten 01-69, kota 71-99
district   ``32.73.01``     + 2 digits, 01-99
village    ``32.73.01.1001``+ 4 digits; first digit 1 kelurahan, 2 desa, 3 desa adat
=========  ===============  ======================================================
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Literal

Level = Literal["province", "regency", "district", "village"]
VillageKind = Literal["kelurahan", "desa", "desa_adat"]
RegencyKind = Literal["kabupaten", "kota"]

LEVELS: tuple[Level, ...] = ("province", "regency", "district", "village")

LEVEL_LABELS: dict[Level, str] = {
    "province": "provinsi",
    "regency": "kabupaten/kota",
    "district": "kecamatan",
    "village": "desa/kelurahan",
}

VILLAGE_KIND_LABELS: dict[VillageKind, str] = {
    "kelurahan": "kelurahan",
    "desa": "desa",
    "desa_adat": "desa adat",
}

_VILLAGE_KIND_BY_DIGIT: dict[str, VillageKind] = {"1": "kelurahan", "2": "desa", "3": "desa_adat"}

_WHITESPACE = re.compile(r"\s+")
_DOTTED = re.compile(r"^(\d{2})(?:\.(\d{2})(?:\.(\d{2})(?:\.(\d{4}))?)?)?$")
_UNDOTTED = re.compile(r"^\d{2}(?:\d{2}(?:\d{2}(?:\d{4})?)?)?$")
_LEVEL_BY_LENGTH: dict[int, Level] = {2: "province", 5: "regency", 8: "district", 13: "village"}


class InvalidCode(ValueError):
    """A Kemendagri code that is malformed; ``str(exc)`` is an Indonesian message."""

    def __init__(self, raw: object, reason: str = "") -> None:
        self.raw = raw
        self.reason = reason
        text = f"Kode wilayah tidak valid: {str(raw)!r}"
        super().__init__(f"{text} ({reason})." if reason else f"{text}.")


def _split(raw: str) -> list[str]:
    text = _WHITESPACE.sub("", raw)
    if text.endswith(".0") and _UNDOTTED.match(text[:-2]):
        text = text[:-2]  # a numeric spreadsheet cell exported as 3273011001.0
    if _UNDOTTED.match(text):
        cuts = (0, 2, 4, 6, 10)
        return [text[a:b] for a, b in pairwise(cuts) if a < len(text)]
    match = _DOTTED.match(text)
    if match:
        return [part for part in match.groups() if part is not None]
    if re.fullmatch(r"[\d.]*[eE][+-]?\d+", text):
        raise InvalidCode(raw, "tertulis dalam notasi ilmiah; format sel sebagai teks")
    raise InvalidCode(raw, "gunakan 2, 4, 6 atau 10 digit, misalnya 32.73.01.1001 atau 3273011001")


def normalize_code(raw: str) -> str:
    """Return the dotted form of a code given dotted or undotted (``3273011001``).

    Whitespace anywhere is ignored. Raises :class:`InvalidCode` when malformed.
    """
    if not isinstance(raw, str):
        raise InvalidCode(raw, "bukan teks")
    parts = _split(raw)
    province = parts[0]
    if int(province) < 11:
        raise InvalidCode(raw, "kode provinsi harus 11-99")
    if len(parts) > 1:
        regency = int(parts[1])
        if regency == 0 or regency == 70:
            raise InvalidCode(raw, "kode kabupaten 01-69, kode kota 71-99")
    if len(parts) > 2 and parts[2] == "00":
        raise InvalidCode(raw, "kode kecamatan tidak boleh 00")
    if len(parts) > 3:
        village = parts[3]
        if village[0] not in _VILLAGE_KIND_BY_DIGIT or village[1:] == "000":
            raise InvalidCode(
                raw, "kode desa/kelurahan harus diawali 1 (kelurahan), 2 (desa) atau 3 (desa adat)"
            )
    return ".".join(parts)


def is_valid_code(raw: str) -> bool:
    try:
        normalize_code(raw)
    except InvalidCode:
        return False
    return True


def level_of(code: str) -> Level:
    """Level of a code: ``province``, ``regency``, ``district`` or ``village``."""
    return _LEVEL_BY_LENGTH[len(normalize_code(code))]


def parent_of(code: str) -> str | None:
    """Code of the enclosing area (``32.73.01.1001`` → ``32.73.01``); ``None`` for a province."""
    normalized = normalize_code(code)
    head, _, _ = normalized.rpartition(".")
    return head or None


def regency_of(code: str) -> str:
    """The kab/kota code containing a regency, district or village code."""
    normalized = normalize_code(code)
    if len(normalized) < 5:
        raise InvalidCode(code, "kode provinsi tidak berada di dalam kabupaten/kota")
    return normalized[:5]


def village_kind(code: str) -> VillageKind:
    """Kind of a village from the first digit of its 4-digit part (1/2/3)."""
    normalized = normalize_code(code)
    if len(normalized) != 13:
        raise InvalidCode(code, "bukan kode desa/kelurahan (10 digit)")
    return _VILLAGE_KIND_BY_DIGIT[normalized[9]]


def regency_kind(code: str) -> RegencyKind:
    """``kabupaten`` for 01-69, ``kota`` for 71-99."""
    normalized = normalize_code(code)
    if len(normalized) < 5:
        raise InvalidCode(code, "bukan kode kabupaten/kota")
    return "kota" if int(normalized[3:5]) >= 71 else "kabupaten"
