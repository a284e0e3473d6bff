"""CSV, XLSX and PDF renderings of the dashboard (same figures as the page)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from .selectors import Dashboard

Row = tuple[str, str, str, Any]


def rows(board: Dashboard) -> Iterator[Row]:
    """(section, item, metric, value) rows."""
    for key, value in board.totals.items():
        yield ("permohonan", "total", key, value)
    for row in board.by_status:
        yield ("permohonan_status", row["status"], "jumlah", row["n"])
    for section, key in (("permohonan_layanan", "service_code"), ("permohonan_opd", "agency_id")):
        for row in getattr(board, "by_service" if key == "service_code" else "by_agency"):
            item = str(row.get("name") or row[key])
            for metric, value in row.items():
                if metric not in (key, "name"):
                    yield (section, item, metric, value)
    for row in board.by_step:
        item = f"{row['name']} / {row['step_code']}"
        for metric, value in row.items():
            if metric not in ("agency_id", "name", "step_code", "step_name"):
                yield ("langkah_opd", item, metric, value)
    for key, value in board.queue_totals.items():
        yield ("antrean", "total", key, value)
    for row in board.queue_by_counter:
        for metric, value in row.items():
            if metric not in ("counter_id", "counter__name"):
                yield ("antrean_loket", row["counter__name"], metric, value)
    for row in board.queue_by_hour:
        for metric, value in row.items():
            if metric != "hour":
                yield ("antrean_jam", f"{row['hour']:02d}:00", metric, value)
    if board.ikm is not None:
        for metric, value in board.ikm.as_dict().items():
            if metric != "nrr":
                yield ("ikm", "tenant", metric, value)
        for code, value in board.ikm.as_dict()["nrr"].items():
            yield ("ikm", "tenant", f"nrr_{code}", value)
    for code, result in board.ikm_by_service.items():
        yield ("ikm_layanan", code, "ikm_converted", result.converted_display)
        yield ("ikm_layanan", code, "grade", result.grade)
        yield ("ikm_layanan", code, "respondents", result.respondents)
    for name, result in board.ikm_by_agency:
        yield ("ikm_opd", name, "ikm_converted", result.converted_display)
        yield ("ikm_opd", name, "grade", result.grade)
    for key, value in board.complaints.items():
        yield ("pengaduan", "total", key, value)


HEADER = ("bagian", "butir", "ukuran", "nilai")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def to_csv(board: Dashboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows(board):
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue()


def to_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ringkasan"
    sheet.append(["Periode", board.period.start.isoformat(), board.period.end.isoformat()])
    sections: dict[str, Any] = {}
    for section, item, metric, value in rows(board):
        if section not in sections:
            sections[section] = workbook.create_sheet(section[:31])
            sections[section].append(list(HEADER[1:]))
        sections[section].append([_safe(item), metric, _safe(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
