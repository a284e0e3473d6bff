"""National reference list of Indonesian administrative areas (Kepmendagri 300.2.2-2138/2025).

Read from the files bundled in ``regions/data`` (see ``data/SOURCE.md``) with the standard library
only. Each level is loaded on first use and cached for the life of the process; villages are
indexed by code and by kab/kota so every lookup after the first load is O(1).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from regions.codes import (
    InvalidCode,
    Level,
    RegencyKind,
    VillageKind,
    is_valid_code,
    level_of,
    normalize_code,
    parent_of,
    regency_kind,
    regency_of,
    village_kind,
)
from regions.naming import display_name, title_case, unique_regency_slugs
from regions.timezones import TimeZoneName, timezone_for_province

__all__ = [
    "DATA_DIR",
    "District",
    "InvalidCode",
    "Level",
    "Province",
    "Regency",
    "RegencyKind",
    "Village",
    "VillageKind",
    "display_name",
    "district",
    "districts_of",
    "is_known",
    "is_valid_code",
    "level_of",
    "normalize_code",
    "parent_of",
    "province",
    "provinces",
    "regencies",
    "regency",
    "regency_for_slug",
    "regency_kind",
    "regency_of",
    "search_regencies",
    "slug_for_regency",
    "source_info",
    "source_version",
    "timezone_for_province",
    "title_case",
    "village",
    "village_kind",
    "villages_of",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

_VILLAGE_KINDS: dict[str, VillageKind] = {"1": "kelurahan", "2": "desa", "3": "desa_adat"}


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Regency:
    code: str
    name: str
    province_code: str
    kind: RegencyKind


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    regency_code: str


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    name: str
    district_code: str
    kind: VillageKind


def _rows(stem: str) -> Iterator[list[str]]:
    """Data rows of ``<stem>.csv`` or ``<stem>.csv.gz`` (header skipped)."""
    plain = DATA_DIR / f"{stem}.csv"
    if plain.exists():
        handle: io.TextIOBase = plain.open(encoding="utf-8", newline="")
    else:
        handle = gzip.open(DATA_DIR / f"{stem}.csv.gz", "rt", encoding="utf-8", newline="")
    with handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


# ---------------------------------------------------------------------------------------------
# Loaders (cached)


@cache
def _provinces() -> dict[str, Province]:
    return {code: Province(code, name) for code, name in _rows("provinces")}


@cache
def _regencies() -> dict[str, Regency]:
    return {
        code: Regency(code, name, province_code, "kota" if int(code[3:5]) >= 71 else "kabupaten")
        for code, province_code, name in _rows("regencies")
    }


@cache
def _districts() -> tuple[dict[str, District], dict[str, tuple[District, ...]]]:
    by_code: dict[str, District] = {}
    by_regency: dict[str, list[District]] = {}
    for code, regency_code, name in _rows("districts"):
        item = District(code, name, regency_code)
        by_code[code] = item
        by_regency.setdefault(regency_code, []).append(item)
    return by_code, {key: tuple(sorted(v, key=_code_key)) for key, v in by_regency.items()}


@cache
def _villages() -> tuple[dict[str, Village], dict[str, tuple[Village, ...]]]:
    by_code: dict[str, Village] = {}
    by_regency: dict[str, list[Village]] = {}
    kinds = _VILLAGE_KINDS
    for code, district_code, name in _rows("villages"):
        item = Village(code, name, district_code, kinds[code[9]])
        by_code[code] = item
        bucket = by_regency.get(code[:5])
        if bucket is None:
            bucket = by_regency[code[:5]] = []
        bucket.append(item)
    return by_code, {key: tuple(sorted(v, key=_code_key)) for key, v in by_regency.items()}


@cache
def _slugs() -> tuple[dict[str, str], dict[str, str]]:
    by_code = unique_regency_slugs(list(_regencies().values()))
    return by_code, {slug: code for code, slug in by_code.items()}


def _code_key(item: District | Village) -> str:
    return item.code


def load_all() -> None:
    """Load and index every level now (e.g. at worker start or in a benchmark)."""
    _provinces()
    _regencies()
    _districts()
    _villages()
    _slugs()


def clear_cache() -> None:
    for loader in (_provinces, _regencies, _districts, _villages, _slugs, source_info):
        loader.cache_clear()


# ---------------------------------------------------------------------------------------------
# Public lookups


def provinces() -> list[Province]:
    """All 38 provinces ordered by code."""
    return sorted(_provinces().values(), key=lambda p: p.code)


def province(code: str) -> Province | None:
    return _provinces().get(normalize_code(code))


def regencies(province_code: str | None = None) -> list[Regency]:
    """All kab/kota ordered by code, or those of one province."""
    items = _regencies().values()
    if province_code is not None:
        wanted = normalize_code(province_code)
        items = [r for r in items if r.province_code == wanted]
    return sorted(items, key=lambda r: r.code)


def regency(code: str) -> Regency | None:
    return _regencies().get(normalize_code(code))


def district(code: str) -> District | None:
    return _districts()[0].get(normalize_code(code))


def village(code: str) -> Village | None:
    return _villages()[0].get(normalize_code(code))


def districts_of(regency_code: str) -> tuple[District, ...]:
    """Kecamatan of one kab/kota, ordered by code (empty when unknown)."""
    return _districts()[1].get(normalize_code(regency_code), ())


def villages_of(regency_code: str) -> tuple[Village, ...]:
    """Every desa/kelurahan of one kab/kota, ordered by code (empty when unknown)."""
    return _villages()[1].get(normalize_code(regency_code), ())


def is_known(code: str) -> bool:
    """True when ``code`` (any level, dotted or not) is in the national list."""
    try:
        normalized = normalize_code(code)
    except InvalidCode:
        return False
    level = level_of(normalized)
    if level == "province":
        return normalized in _provinces()
    if level == "regency":
        return normalized in _regencies()
    if level == "district":
        return normalized in _districts()[0]
    return normalized in _villages()[0]


def search_regencies(query: str, limit: int | None = None) -> list[Regency]:
    """Case-insensitive substring search on the kab/kota name (or its code).

    ``"bandung"`` finds Kabupaten Bandung, Kabupaten Bandung Barat and Kota Bandung. Results are
    ordered: names whose bare part starts with the query first, then by code.
    """
    needle = " ".join(query.split()).casefold()
    if not needle:
        return regencies()[:limit] if limit else regencies()
    hits: list[tuple[int, str, Regency]] = []
    for item in _regencies().values():
        name = item.name.casefold()
        if needle in name or item.code.startswith(needle) or needle == item.code.replace(".", ""):
            bare = name.split(" ", 1)[-1]
            hits.append((0 if bare.startswith(needle) else 1, item.code, item))
    hits.sort(key=lambda hit: (hit[0], hit[1]))
    found = [hit[2] for hit in hits]
    return found[:limit] if limit else found


def slug_for_regency(code: str) -> str:
    """DNS-label slug of a kab/kota, e.g. ``kota-bandung`` (32.73), ``kab-sragen`` (33.14)."""
    normalized = normalize_code(code)
    try:
        return _slugs()[0][normalized]
    except KeyError:
        raise InvalidCode(code, "kabupaten/kota tidak ada dalam daftar nasional") from None


def regency_for_slug(slug: str) -> Regency | None:
    code = _slugs()[1].get(slug.strip().lower())
    return _regencies()[code] if code else None


def timezone_for_regency(code: str) -> TimeZoneName:
    return timezone_for_province(normalize_code(code)[:2])


@cache
def source_info() -> dict[str, Any]:
    """Package, version, tarball sha256, decree, licence and row counts of the bundled data."""
    return json.loads((DATA_DIR / "source.json").read_text(encoding="utf-8"))


def source_version() -> str:
    """E.g. ``idn-area-data 4.0.1 (Kepmendagri No. 300.2.2-2138 Tahun 2025)``."""
    info = source_info()
    return f"{info['package']} {info['version']} ({info['decree']})"


def attribution() -> str:
    """One-line attribution for footers (ODbL 1.0 requires it)."""
    info = source_info()
    return (
        f"Data wilayah administrasi: {info['package']} {info['version']} © Fityan Nugroho dan "
        f"kontributor, berdasarkan {info['decree']}, dilisensikan di bawah Open Database License "
        "(ODbL) 1.0."
    )
