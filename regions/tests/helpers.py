"""Builders for test inputs (CSV and XLSX bytes) and a fake "apply" of a diff."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from regions.importer import ExistingRegion, RegionDiff, ValidationResult

FIXTURES = Path(__file__).resolve().parent / "fixtures"

Row = Sequence[object]


def make_csv(
    rows: Sequence[Row], delimiter: str = ",", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def make_xlsx(sheets: dict[str, Sequence[Row]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def existing_from(result: ValidationResult) -> list[ExistingRegion]:
    return [
        ExistingRegion(r.code, r.name, r.parent_code, True)
        for r in (*result.districts, *result.villages)
    ]


def apply(existing: list[ExistingRegion], diff: RegionDiff) -> list[ExistingRegion]:
    """What the real service does, in memory: create, rename, re-code moves, inactivate."""
    rows = {region.code: region for region in existing}
    for change in (*diff.added, *diff.renamed, *diff.reactivated):
        rows[change.code] = ExistingRegion(change.code, change.name, change.parent_code, True)
    for change in diff.moved:
        if change.old_code and change.old_code != change.code:
            rows.pop(change.old_code)
        rows[change.code] = ExistingRegion(change.code, change.name, change.parent_code, True)
    for change in diff.missing:
        rows[change.code] = replace(rows[change.code], is_active=False)
    return sorted(rows.values(), key=lambda region: region.code)
