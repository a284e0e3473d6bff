"""Validate a parsed region file for one kab/kota, and build the same result from the national list.

Errors block the import; warnings (differences from the national reference) do not. Every issue
carries the spreadsheet row number (header = row 1 when it is the first row), the column header
and the original value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from regions import reference
from regions.codes import (
    LEVEL_LABELS,
    VILLAGE_KIND_LABELS,
    InvalidCode,
    Level,
    VillageKind,
    level_of,
    normalize_code,
    village_kind,
)
from regions.importer.types import (
    Column,
    DistrictRecord,
    Issue,
    LayoutName,
    ParsedTable,
    Role,
    ValidationResult,
    VillageRecord,
)
from regions.naming import collapse_spaces

KindValue = VillageKind | Literal["district", "village"]

_KIND_WORDS: dict[str, KindValue] = {
    "kecamatan": "district",
    "kec": "district",
    "distrik": "district",
    "kelurahan": "kelurahan",
    "kel": "kelurahan",
    "desa": "desa",
    "kampung": "desa",
    "nagari": "desa",
    "gampong": "desa",
    "desa adat": "desa_adat",
    "desaadat": "desa_adat",
    "desa kelurahan": "village",
    "kelurahan desa": "village",
    "desa kel": "village",
}
_KIND_SEPARATORS = re.compile(r"[\s_./\\-]+")


def parse_kind(raw: str) -> KindValue | None:
    """``'Desa Adat'`` → ``desa_adat``; ``'KEL.'`` → ``kelurahan``; unknown → ``None``."""
    key = _KIND_SEPARATORS.sub(" ", raw.casefold()).strip()
    return _KIND_WORDS.get(key)


@dataclass(slots=True)
class _Entry:
    row: int
    code: str
    code_column: Column
    name: str
    name_column: Column | None
    expected_level: Level | None = None
    parent: str = ""
    parent_column: Column | None = None
    kind: str = ""
    kind_column: Column | None = None
    repeat_ok: bool = False


@dataclass(slots=True)
class _Seen:
    row: int
    name: str


@dataclass(slots=True)
class _State:
    regency_code: str
    regency_label: str
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    seen: dict[str, _Seen] = field(default_factory=dict)
    districts: dict[str, DistrictRecord] = field(default_factory=dict)
    villages: dict[str, VillageRecord] = field(default_factory=dict)
    columns: dict[str, tuple[Column, Column | None]] = field(default_factory=dict)
    """code → (code column, name column) of the row that defined it."""

    def error(self, rule: str, message: str, row: int | None, column: Column | None, value: str):
        self.errors.append(_issue("error", rule, message, row, column, value))

    def warn(self, rule: str, message: str, row: int | None, column: Column | None, value: str):
        self.warnings.append(_issue("warning", rule, message, row, column, value))


def _issue(
    severity: Literal["error", "warning"],
    rule: str,
    message: str,
    row: int | None,
    column: Column | None,
    value: str,
) -> Issue:
    return Issue(
        severity=severity,
        rule=rule,
        message=message,
        row=row,
        column=column.header if column else None,
        column_letter=column.letter if column else None,
        value=value,
    )


def _name_key(name: str) -> str:
    return collapse_spaces(name).casefold()


def _entries(table: ParsedTable) -> list[_Entry]:
    col: dict[Role, Column] = {column.role: column for column in table.columns}
    entries: list[_Entry] = []
    for number, values in table.records():
        kind = values.get("kind", "")
        if table.layout_name == "wide":
            district_code = values["district_code"]
            entries.append(
                _Entry(
                    number,
                    district_code,
                    col["district_code"],
                    values["district_name"],
                    col["district_name"],
                    expected_level="district",
                    repeat_ok=True,
                )
            )
            if values["village_code"] or values["village_name"]:
                entries.append(
                    _Entry(
                        number,
                        values["village_code"],
                        col["village_code"],
                        values["village_name"],
                        col["village_name"],
                        expected_level="village",
                        parent=district_code,
                        parent_column=col["district_code"],
                        kind=kind,
                        kind_column=col.get("kind"),
                    )
                )
        else:
            entries.append(
                _Entry(
                    number,
                    values["code"],
                    col["code"],
                    values["name"],
                    col["name"],
                    parent=values.get("parent_code", ""),
                    parent_column=col.get("parent_code"),
                    kind=kind,
                    kind_column=col.get("kind"),
                )
            )
    return entries


def _check_code(state: _State, entry: _Entry) -> tuple[str, Level] | None:
    """Normalised code and level, or ``None`` after recording why the row is not usable."""
    if not entry.code:
        if entry.name or not entry.repeat_ok:
            state.error("malformed_code", "Kode kosong.", entry.row, entry.code_column, "")
        return None
    try:
        code = normalize_code(entry.code)
    except InvalidCode as exc:
        state.error(
            "malformed_code",
            f"Kode tidak valid ({exc.reason}).",
            entry.row,
            entry.code_column,
            entry.code,
        )
        return None
    level = level_of(code)
    regency_code = state.regency_code
    if level in ("province", "regency"):
        if code in (regency_code, regency_code[:2]) and entry.expected_level is None:
            state.warn(
                "ignored_row",
                f"Baris {LEVEL_LABELS[level]} itu sendiri diabaikan; yang diimpor hanya "
                "kecamatan dan desa/kelurahan.",
                entry.row,
                entry.code_column,
                entry.code,
            )
            return None
    if not code.startswith(regency_code):
        state.error(
            "outside_regency",
            f"Kode {code} berada di luar {state.regency_label} ({regency_code}).",
            entry.row,
            entry.code_column,
            entry.code,
        )
        return None
    expected = entry.expected_level
    if level not in ("district", "village") or (expected and level != expected):
        wanted = LEVEL_LABELS[expected] if expected else "kecamatan atau desa/kelurahan"
        state.error(
            "wrong_level",
            f"Kolom ini harus berisi kode {wanted}, bukan kode {LEVEL_LABELS[level]}.",
            entry.row,
            entry.code_column,
            entry.code,
        )
        return None
    return code, level


def _check_parent(state: _State, entry: _Entry, code: str) -> None:
    if not entry.parent:
        return
    expected = code.rpartition(".")[0]
    try:
        parent = normalize_code(entry.parent)
    except InvalidCode as exc:
        if entry.expected_level is None:  # wide layout: already reported on the district entry
            state.error(
                "malformed_code",
                f"Kode induk tidak valid ({exc.reason}).",
                entry.row,
                entry.parent_column,
                entry.parent,
            )
        return
    if parent != expected:
        if entry.expected_level == "village":
            message = (
                f"Kode desa/kelurahan {code} tidak berada di kecamatan {parent} yang tertulis "
                f"pada baris yang sama (seharusnya {expected})."
            )
            state.error("parent_mismatch", message, entry.row, entry.code_column, entry.code)
        else:
            message = (
                f"Kode induk {parent} tidak sesuai dengan kode {code} (seharusnya {expected})."
            )
            state.error("parent_mismatch", message, entry.row, entry.parent_column, entry.parent)


def _check_kind(state: _State, entry: _Entry, code: str, level: Level) -> VillageKind | None:
    actual_kind = village_kind(code) if level == "village" else None
    if not entry.kind:
        return actual_kind
    stated = parse_kind(entry.kind)
    if stated is None:
        state.error(
            "unknown_kind",
            "Jenis wilayah tidak dikenal; gunakan kecamatan, kelurahan, desa, atau desa adat.",
            entry.row,
            entry.kind_column,
            entry.kind,
        )
        return actual_kind
    if level == "district":
        if stated != "district":
            state.error(
                "kind_mismatch",
                f"Jenis {entry.kind!r} bertentangan dengan kode {code}: kode 6 digit adalah "
                "kecamatan.",
                entry.row,
                entry.kind_column,
                entry.kind,
            )
        return None
    assert actual_kind is not None
    if stated == "district" or (stated != "village" and stated != actual_kind):
        digit = code[9]
        state.error(
            "kind_mismatch",
            f"Jenis {entry.kind!r} bertentangan dengan kode {code}: digit pertama bagian desa "
            f"({digit}) berarti {VILLAGE_KIND_LABELS[actual_kind]}.",
            entry.row,
            entry.kind_column,
            entry.kind,
        )
    return actual_kind


def _record(state: _State, entry: _Entry, code: str, level: Level) -> None:
    name = collapse_spaces(entry.name)
    previous = state.seen.get(code)
    if previous is not None:
        same_name = _name_key(previous.name) == _name_key(name)
        if entry.repeat_ok and (same_name or not name):
            return  # the wide layout repeats the kecamatan on every desa row
        if name and previous.name and not same_name:
            state.error(
                "conflicting_name",
                f"Kode {code} sudah muncul di baris {previous.row} dengan nama lain "
                f"({previous.name!r}).",
                entry.row,
                entry.name_column,
                entry.name,
            )
        else:
            state.error(
                "duplicate_code",
                f"Kode {code} muncul lebih dari sekali (pertama di baris {previous.row}).",
                entry.row,
                entry.code_column,
                entry.code,
            )
        return
    state.seen[code] = _Seen(entry.row, name)
    state.columns[code] = (entry.code_column, entry.name_column)
    if level == "village" or entry.expected_level is None:
        _check_parent(state, entry, code)
    kind = _check_kind(state, entry, code, level)
    if not name:
        state.error("empty_name", "Nama kosong.", entry.row, entry.name_column, entry.name)
        return
    if level == "district":
        state.districts[code] = DistrictRecord(code, name, entry.row)
    else:
        assert kind is not None
        state.villages[code] = VillageRecord(code, name, code[:8], kind, entry.row)


def _check_missing_districts(state: _State) -> None:
    for village in state.villages.values():
        if village.district_code not in state.seen:
            state.error(
                "missing_district",
                f"Kecamatan {village.district_code} untuk desa/kelurahan ini tidak ada dalam "
                "berkas.",
                village.row,
                state.columns[village.code][0],
                village.code,
            )


def _compare_with_reference(state: _State) -> None:
    decree = reference.source_info().get("decree", "Kepmendagri")
    records: list[DistrictRecord | VillageRecord] = [
        *state.districts.values(),
        *state.villages.values(),
    ]
    for record in records:
        if record.level == "district":
            known: reference.District | reference.Village | None = reference.district(record.code)
        else:
            known = reference.village(record.code)
        code_column, name_column = state.columns[record.code]
        if known is None:
            state.warn(
                "not_in_reference",
                f"Kode {record.code} tidak ada dalam daftar nasional ({decree}).",
                record.row,
                code_column,
                record.code,
            )
        elif _name_key(known.name) != _name_key(record.name):
            state.warn(
                "name_differs",
                f"Nama berbeda dari daftar nasional ({known.name!r}).",
                record.row,
                name_column,
                record.name,
            )


def _regency_label(regency_code: str) -> str:
    known = reference.regency(regency_code)
    return reference.display_name(known) if known else "kabupaten/kota ini"


def _sorted(issues: list[Issue]) -> list[Issue]:
    return sorted(
        issues,
        key=lambda i: (i.row or 0, len(i.column_letter or ""), i.column_letter or ""),
    )


def validate(table: ParsedTable, regency_code: str) -> ValidationResult:
    """Check every row of ``table`` for the kab/kota ``regency_code`` (e.g. ``"33.14"``)."""
    regency_code = normalize_code(regency_code)
    if level_of(regency_code) != "regency":
        raise InvalidCode(regency_code, "bukan kode kabupaten/kota")
    state = _State(regency_code, _regency_label(regency_code))
    for entry in _entries(table):
        checked = _check_code(state, entry)
        if checked is not None:
            _record(state, entry, *checked)
    _check_missing_districts(state)
    _compare_with_reference(state)
    if not state.districts and not state.villages and not state.errors:
        state.error(
            "no_data",
            "Berkas tidak berisi satu pun kecamatan atau desa/kelurahan.",
            None,
            None,
            "",
        )
    return _result(state, table.layout_name)


def _result(state: _State, layout: LayoutName) -> ValidationResult:
    return ValidationResult(
        regency_code=state.regency_code,
        layout=layout,
        districts=tuple(sorted(state.districts.values(), key=lambda r: r.code)),
        villages=tuple(sorted(state.villages.values(), key=lambda r: r.code)),
        errors=_sorted(state.errors),
        warnings=_sorted(state.warnings),
    )


def from_reference(regency_code: str) -> ValidationResult:
    """The national list for one kab/kota, shaped like a validated upload (no issues)."""
    regency_code = normalize_code(regency_code)
    if reference.regency(regency_code) is None:
        raise InvalidCode(regency_code, "kabupaten/kota tidak ada dalam daftar nasional")
    return ValidationResult(
        regency_code=regency_code,
        layout="reference",
        districts=tuple(
            DistrictRecord(d.code, d.name) for d in reference.districts_of(regency_code)
        ),
        villages=tuple(
            VillageRecord(v.code, v.name, v.district_code, v.kind)
            for v in reference.villages_of(regency_code)
        ),
    )
