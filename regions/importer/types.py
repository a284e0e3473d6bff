"""Data shapes of the import pipeline: parse → validate → diff."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from regions.codes import Level, VillageKind

Severity = Literal["error", "warning"]
LayoutName = Literal["hierarchical", "flat", "wide", "reference"]
Role = Literal[
    "code",
    "parent_code",
    "name",
    "kind",
    "district_code",
    "district_name",
    "village_code",
    "village_name",
]


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Column:
    role: Role
    index: int
    header: str

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def label(self) -> str:
        """``kode_desa (kolom C)``."""
        return f"{self.header} (kolom {self.letter})"


@dataclass(frozen=True, slots=True)
class Layout:
    name: LayoutName
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class ParsedRow:
    number: int
    """1-based row number as the spreadsheet shows it (header row counted)."""
    cells: tuple[str, ...]
    """Stripped cell text, one per :attr:`ParsedTable.columns` entry, in that order."""


@dataclass(slots=True)
class ParsedTable:
    filename: str
    file_format: Literal["csv", "xlsx"]
    layout: Layout
    columns: tuple[Column, ...]
    header: tuple[str, ...]
    header_row: int
    rows: list[ParsedRow]
    sha256: str
    size_bytes: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def layout_name(self) -> LayoutName:
        return self.layout.name

    @property
    def layout_description(self) -> str:
        return self.layout.description

    def column(self, role: Role) -> Column | None:
        for column in self.columns:
            if column.role == role:
                return column
        return None

    def records(self) -> Iterator[tuple[int, dict[Role, str]]]:
        """Rows as ``(row_number, {role: text})``."""
        roles = [column.role for column in self.columns]
        for row in self.rows:
            yield row.number, dict(zip(roles, row.cells, strict=True))


@dataclass(frozen=True, slots=True)
class Issue:
    severity: Severity
    rule: str
    """Stable identifier, e.g. ``malformed_code``, ``duplicate_code``, ``name_differs``."""
    message: str
    """Indonesian, for the user."""
    row: int | None = None
    column: str | None = None
    """Header text of the column as in the file."""
    column_letter: str | None = None
    value: str = ""
    """The original cell value."""

    def as_text(self) -> str:
        """``Baris 7, kolom kode_desa (C), nilai '33.14.99.2001': …``"""
        where = []
        if self.row is not None:
            where.append(f"Baris {self.row}")
        if self.column:
            letter = f" ({self.column_letter})" if self.column_letter else ""
            where.append(f"kolom {self.column}{letter}")
        if self.value:
            where.append(f"nilai {self.value!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    code: str
    name: str
    row: int | None = None

    level: Level = field(default="district", init=False)

    @property
    def parent_code(self) -> str:
        return self.code[:5]


@dataclass(frozen=True, slots=True)
class VillageRecord:
    code: str
    name: str
    district_code: str
    kind: VillageKind
    row: int | None = None

    level: Level = field(default="village", init=False)

    @property
    def parent_code(self) -> str:
        return self.district_code


@dataclass(slots=True)
class ValidationResult:
    regency_code: str
    layout: LayoutName
    districts: tuple[DistrictRecord, ...] = ()
    villages: tuple[VillageRecord, ...] = ()
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import (warnings allowed)."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "districts": len(self.districts),
            "villages": len(self.villages),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


@dataclass(frozen=True, slots=True)
class ExistingRegion:
    """A region row the tenant already has (district or village)."""

    code: str
    name: str
    parent_code: str | None
    is_active: bool = True


ChangeKind = Literal["added", "renamed", "moved", "missing", "reactivated", "unchanged"]


@dataclass(frozen=True, slots=True)
class RegionChange:
    change: ChangeKind
    level: Level
    code: str
    """The code after the import (for ``missing``: the code that disappears)."""
    name: str
    parent_code: str | None
    old_name: str | None = None
    old_code: str | None = None
    """For ``moved``: the code before (equal to ``code`` when only the parent changed)."""
    old_parent_code: str | None = None
    kind: VillageKind | None = None

    @property
    def name_changed(self) -> bool:
        return self.old_name is not None and self.old_name != self.name


@dataclass(slots=True)
class RegionDiff:
    added: list[RegionChange] = field(default_factory=list)
    renamed: list[RegionChange] = field(default_factory=list)
    moved: list[RegionChange] = field(default_factory=list)
    missing: list[RegionChange] = field(default_factory=list)
    """Active before, absent from the file: to be marked inactive (never deleted)."""
    reactivated: list[RegionChange] = field(default_factory=list)
    unchanged: list[RegionChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.renamed or self.moved or self.missing or self.reactivated)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "renamed": len(self.renamed),
            "moved": len(self.moved),
            "inactivated": len(self.missing),
            "reactivated": len(self.reactivated),
            "unchanged": len(self.unchanged),
        }

    def changes(self) -> Iterator[RegionChange]:
        """Every change except ``unchanged``, grouped by kind."""
        for group in (self.added, self.renamed, self.moved, self.missing, self.reactivated):
            yield from group
