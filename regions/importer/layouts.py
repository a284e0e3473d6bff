"""Recognise the header row of a region file and the layout it implies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from regions.importer.types import Column, Layout, LayoutName, Role

HIERARCHICAL = Layout(
    "hierarchical",
    "Hierarkis",
    "Hierarkis: kolom kode, kode induk, dan nama; satu baris per kecamatan atau desa/kelurahan.",
)
FLAT = Layout(
    "flat",
    "Datar",
    "Datar: kolom kode dan nama untuk semua tingkat; tingkat wilayah ditentukan dari panjang "
    "kode (6 digit kecamatan, 10 digit desa/kelurahan).",
)
WIDE = Layout(
    "wide",
    "Lebar",
    "Lebar: satu baris per desa/kelurahan dengan kolom kode dan nama kecamatan serta kode dan "
    "nama desa/kelurahan.",
)
REFERENCE = Layout(
    "reference",
    "Daftar nasional",
    "Daftar nasional Kepmendagri (isian otomatis).",
)
LAYOUTS: dict[LayoutName, Layout] = {
    layout.name: layout for layout in (HIERARCHICAL, FLAT, WIDE, REFERENCE)
}

_KIND = frozenset(
    {
        "jenis", "jenis_wilayah", "jenis_desa", "jenis_desa_kelurahan", "kind", "tipe", "type",
        "tipe_wilayah", "kategori", "tingkat", "level", "status_desa", "status_pemerintahan",
    }
)  # fmt: skip
_CODE = frozenset(
    {
        "kode", "code", "kode_wilayah", "kode_kemendagri", "kode_wil", "kd_wilayah", "kd_wil",
        "kode_daerah", "kode_area", "id", "kode_bps_kemendagri", "kd",
    }
)  # fmt: skip
_NAME = frozenset({"nama", "name", "nama_wilayah", "wilayah", "nama_daerah", "nama_area", "nm"})
_PARENT = frozenset(
    {
        "kode_induk", "parent_code", "parent", "induk", "kode_parent", "parent_id", "id_induk",
        "kd_induk", "kode_atas", "kode_kecamatan", "kode_kec", "kd_kec",
    }
)  # fmt: skip
_DISTRICT_CODE = frozenset(
    {
        "kode_kecamatan", "kode_kec", "kd_kec", "kd_kecamatan", "kecamatan_code", "district_code",
        "kode_distrik", "id_kecamatan",
    }
)  # fmt: skip
_DISTRICT_NAME = frozenset(
    {
        "nama_kecamatan", "nama_kec", "nm_kec", "nm_kecamatan", "kecamatan", "kecamatan_name",
        "district_name", "district", "nama_distrik", "distrik",
    }
)  # fmt: skip
_VILLAGE_CODE = frozenset(
    {
        "kode_desa", "kode_kelurahan", "kode_desa_kelurahan", "kode_kelurahan_desa",
        "kode_desa_kel", "kode_kel_desa", "kode_kel", "kd_desa", "kd_kel", "kd_desa_kel",
        "village_code", "kode_kampung", "kode_nagari", "kode_gampong", "id_desa",
    }
)  # fmt: skip
_VILLAGE_NAME = frozenset(
    {
        "nama_desa", "nama_kelurahan", "nama_desa_kelurahan", "nama_kelurahan_desa",
        "nama_desa_kel", "nama_kel_desa", "nama_kel", "nm_desa", "nm_kel", "desa", "kelurahan",
        "desa_kelurahan", "kelurahan_desa", "village_name", "village", "nama_kampung",
        "nama_nagari", "nama_gampong",
    }
)  # fmt: skip

_ROLES_BY_LAYOUT: tuple[tuple[Layout, dict[Role, frozenset[str]], tuple[Role, ...]], ...] = (
    (
        WIDE,
        {
            "district_code": _DISTRICT_CODE,
            "district_name": _DISTRICT_NAME,
            "village_code": _VILLAGE_CODE,
            "village_name": _VILLAGE_NAME,
            "kind": _KIND,
        },
        ("district_code", "district_name", "village_code", "village_name"),
    ),
    (
        HIERARCHICAL,
        {"code": _CODE, "parent_code": _PARENT, "name": _NAME, "kind": _KIND},
        ("code", "parent_code", "name"),
    ),
    (FLAT, {"code": _CODE, "name": _NAME, "kind": _KIND}, ("code", "name")),
)

EXPECTED_HEADERS_HELP = (
    "Baris judul kolom tidak dikenali. Gunakan salah satu susunan: "
    "(1) kode, kode_induk, nama; (2) kode, nama; atau "
    "(3) kode_kecamatan, nama_kecamatan, kode_desa, nama_desa. "
    "Huruf besar/kecil tidak berpengaruh."
)

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize_header(text: str) -> str:
    """``'Kode Desa / Kelurahan'`` → ``'kode_desa_kelurahan'``."""
    cleaned = text.replace("\ufeff", "").strip().casefold()
    return _NON_WORD.sub("_", cleaned).strip("_")


@dataclass(frozen=True, slots=True)
class LayoutMatch:
    layout: Layout
    columns: tuple[Column, ...]


def detect_layout(header: Sequence[str]) -> LayoutMatch | None:
    """Match a header row to the first layout (wide, hierarchical, flat) whose columns it has."""
    normalized = [normalize_header(cell) for cell in header]
    for layout, roles, required in _ROLES_BY_LAYOUT:
        used: set[int] = set()
        columns: list[Column] = []
        for role, names in roles.items():
            index = next(
                (i for i, cell in enumerate(normalized) if cell in names and i not in used), None
            )
            if index is None:
                continue
            used.add(index)
            columns.append(Column(role, index, header[index].replace("\ufeff", "").strip()))
        found = {column.role for column in columns}
        if all(role in found for role in required):
            return LayoutMatch(layout, tuple(columns))
    return None
