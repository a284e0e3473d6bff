"""CSV and XLSX exports of the console table (same rows, same filters).

CSV: UTF-8 with a byte-order mark (so Excel detects UTF-8), comma-separated, dot decimals,
one header row. XLSX: one sheet "Tenant" with a bold frozen header row, an autofilter and
numeric cells typed as numbers, plus a "Provinsi" sheet with the province aggregates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from .selectors import Aggregate, TenantRow


def _columns() -> list[tuple[str, str]]:
    return [
        ("region_code", _("Kode wilayah")),
        ("name", _("Nama")),
        ("province_code", _("Kode provinsi")),
        ("province_name", _("Provinsi")),
        ("state", _("Status")),
        ("onboarding_pct", _("Progres orientasi (%)")),
        ("live_services", _("Layanan aktif")),
        ("applications_month", _("Permohonan bulan ini")),
        ("decided_month", _("Diputus bulan ini")),
        ("met_month", _("Tepat waktu")),
        ("missed_month", _("Terlambat")),
        ("compliance_pct", _("Kepatuhan SLA (%)")),
        ("breaches_month", _("Pelanggaran SLA bulan ini")),
        ("breached_now", _("Melewati tenggat saat ini")),
        ("at_risk_now", _("Berisiko saat ini")),
        ("open_now", _("Permohonan terbuka")),
        ("sweep_status", _("Pemeriksaan SLA terakhir")),
    ]


def _value(row: TenantRow, key: str) -> object:
    value = getattr(row, key)
    if key == "compliance_pct":
        return float(value) if value is not None else None
    return value


def rows_to_csv(rows: Sequence[TenantRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = _columns()
    writer.writerow([label for _key, label in columns])
    for row in rows:
        writer.writerow(["" if (v := _value(row, key)) is None else v for key, _label in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def rows_to_xlsx(rows: Sequence[TenantRow], provinces: Sequence[Aggregate]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tenant"
    columns = _columns()
    sheet.append([label for _key, label in columns])
    for row in rows:
        sheet.append([_value(row, key) for key, _label in columns])
    _style_header(sheet, len(columns), Font, get_column_letter)
    sheet.column_dimensions["B"].width = 34
    sheet.column_dimensions["D"].width = 28
    prov = workbook.create_sheet("Provinsi")
    headers = [
        _("Kode provinsi"), _("Provinsi"), _("Tenant"), _("Aktif"), _("Orientasi"),
        _("Permohonan bulan ini"), _("Tepat waktu"), _("Terlambat"), _("Kepatuhan SLA (%)"),
        _("Pelanggaran SLA bulan ini"), _("Melewati tenggat saat ini"),
    ]
    prov.append(headers)
    for agg in provinces:
        pct = agg.compliance_pct
        prov.append([
            agg.key, agg.name, agg.tenants, agg.live, agg.onboarding, agg.applications_month,
            agg.met_month, agg.missed_month, float(pct) if pct is not None else None,
            agg.breaches_month, agg.breached_now,
        ])
    _style_header(prov, len(headers), Font, get_column_letter)
    prov.column_dimensions["B"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _style_header(sheet, width, font_cls, letter) -> None:
    for cell in sheet[1]:
        cell.font = font_cls(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{letter(width)}{max(sheet.max_row, 1)}"
    for index in range(1, width + 1):
        column = letter(index)
        if sheet.column_dimensions[column].width in (None, 13):
            sheet.column_dimensions[column].width = 16
