"""Time zone of each province (Keppres 41/1987 as amended; one zone per province).

* WIB (UTC+7, ``Asia/Jakarta``): all of Sumatra (11-19, 21), Java (31-36), Kalimantan Barat (61)
  and Kalimantan Tengah (62).
* WITA (UTC+8, ``Asia/Makassar``): Bali (51), Nusa Tenggara Barat (52), Nusa Tenggara Timur (53),
  Kalimantan Selatan (63), Kalimantan Timur (64), Kalimantan Utara (65) and every Sulawesi
  province (71-76, Gorontalo 75 included).
* WIT (UTC+9, ``Asia/Jayapura``): Maluku (81), Maluku Utara (82) and the six Papua provinces
  (91 Papua, 92 Papua Barat, 93 Papua Selatan, 94 Papua Tengah, 95 Papua Pegunungan,
  96 Papua Barat Daya).

Note the IANA zone ``Asia/Pontianak`` is WIB too; ``Asia/Jakarta`` is used for every WIB province
so that a tenant's zone is one of three values.
"""

from __future__ import annotations

from typing import Literal

from regions.codes import InvalidCode, normalize_code

TimeZoneName = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]

WIB: TimeZoneName = "Asia/Jakarta"
WITA: TimeZoneName = "Asia/Makassar"
WIT: TimeZoneName = "Asia/Jayapura"

TIMEZONE_LABELS: dict[TimeZoneName, str] = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

_WITA = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})
_WIB = frozenset(
    {"11", "12", "13", "14", "15", "16", "17", "18", "19", "21"}
    | {"31", "32", "33", "34", "35", "36", "61", "62"}
)
PROVINCE_TIMEZONES: dict[str, TimeZoneName] = {
    **dict.fromkeys(sorted(_WIB), WIB),
    **dict.fromkeys(sorted(_WITA), WITA),
    **dict.fromkeys(sorted(_WIT), WIT),
}


def timezone_for_province(province_code: str) -> TimeZoneName:
    """IANA zone of a province; any longer code (kab/kota, kecamatan, desa) uses its province."""
    code = normalize_code(province_code)[:2]
    try:
        return PROVINCE_TIMEZONES[code]
    except KeyError:
        raise InvalidCode(province_code, "provinsi tidak dikenal") from None
