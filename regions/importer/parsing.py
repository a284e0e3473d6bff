"""Read an uploaded CSV or XLSX region file into a :class:`ParsedTable`.

Only the columns of the detected layout are kept, rows are read as a stream, and every limit in
:mod:`regions.importer.limits` is checked before or while reading. File-level problems raise
:class:`ImportFileError` with an Indonesian message; row-level problems are left to ``validate``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from regions.importer import limits
from regions.importer.errors import ImportFileError
from regions.importer.layouts import EXPECTED_HEADERS_HELP, LayoutMatch, detect_layout
from regions.importer.types import ParsedRow, ParsedTable

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_XLSX_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
)
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "koma", ";": "titik koma", "\t": "tab", "|": "garis tegak"}
_CHUNK = 1 << 20


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def parse(file_bytes: bytes, filename: str, sheet: str | None = None) -> ParsedTable:
    """Parse a CSV (comma/semicolon/tab, UTF-8 ± BOM, UTF-16 with BOM, Windows-1252) or XLSX."""
    if len(file_bytes) > limits.MAX_FILE_BYTES:
        raise ImportFileError(
            f"Berkas terlalu besar ({_mb(len(file_bytes))}); batas {_mb(limits.MAX_FILE_BYTES)}.",
            reason="too_large",
        )
    if not file_bytes or file_bytes.isspace():
        raise ImportFileError("Berkas kosong.", reason="empty")
    digest = hashlib.sha256(file_bytes).hexdigest()
    lower = filename.lower()
    if file_bytes.startswith(_OLE_MAGIC) or lower.endswith(".xls"):
        raise ImportFileError(
            "Format Excel lama (.xls) tidak didukung. Simpan ulang sebagai .xlsx atau .csv.",
            reason="legacy_xls",
        )
    if file_bytes.startswith(_ZIP_MAGIC) or lower.endswith((".xlsx", ".xlsm", ".xltx")):
        return _parse_xlsx(file_bytes, filename, sheet, digest)
    return _parse_csv(file_bytes, filename, digest)


# ---------------------------------------------------------------------------------------------
# Shared: header search and row collection


def _find_header(rows: Iterable[Sequence[Any]]) -> tuple[int, list[str], LayoutMatch] | None:
    for number, raw in enumerate(rows, start=1):
        if number > limits.HEADER_SCAN_ROWS:
            return None
        cells = [_cell_text(value) for value in raw]
        match = detect_layout(cells)
        if match is not None:
            return number, cells, match
    return None


def _collect(rows: Iterator[Sequence[Any]], header_row: int, match: LayoutMatch) -> list[ParsedRow]:
    indexes = [column.index for column in match.columns]
    collected: list[ParsedRow] = []
    max_scanned = limits.MAX_DATA_ROWS * limits.MAX_SCANNED_ROWS_FACTOR
    for number, raw in enumerate(rows, start=header_row + 1):
        if number - header_row > max_scanned:
            raise _too_many_rows()
        width = len(raw)
        cells = tuple(_cell_text(raw[i]) if i < width else "" for i in indexes)
        if not any(cells):
            continue
        if len(collected) >= limits.MAX_DATA_ROWS:
            raise _too_many_rows()
        collected.append(ParsedRow(number, cells))
    return collected


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        f"Berkas berisi lebih dari {limits.MAX_DATA_ROWS:,} baris data".replace(",", ".")
        + "; bagi menjadi beberapa berkas atau hapus baris yang tidak perlu.",
        reason="too_many_rows",
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\ufeff", "").strip()


def _header_error(first_row: Sequence[Any] | None) -> ImportFileError:
    seen = ""
    if first_row:
        shown = ", ".join(_cell_text(v) for v in list(first_row)[:8] if _cell_text(v))
        seen = f" Baris pertama berisi: {shown}." if shown else ""
    return ImportFileError(EXPECTED_HEADERS_HELP + seen, reason="unknown_header")


# ---------------------------------------------------------------------------------------------
# CSV


def _decodes(data: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise ImportFileError(
            "Berkas bukan CSV teks biasa (berisi data biner). Unggah .csv atau .xlsx.",
            reason="binary",
        )
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _decodes(data, "cp1252"):
        return "cp1252"
    return "latin-1"


def _text_stream(data: bytes, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def _sample_lines(data: bytes, encoding: str) -> list[str]:
    stream = _text_stream(data, encoding)
    lines: list[str] = []
    for line in stream:
        lines.append(line)
        if len(lines) >= limits.HEADER_SCAN_ROWS:
            break
    return lines


def _sniff_delimiter(lines: list[str]) -> tuple[str, tuple[int, list[str], LayoutMatch]] | None:
    text = "".join(lines)
    candidates = sorted(_DELIMITERS, key=lambda d: -text.count(d))
    for delimiter in candidates:
        if delimiter not in text:
            continue
        try:
            found = _find_header(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error:
            continue
        if found is not None:
            return delimiter, found
    # a single-column header cannot be a layout, so a file with no delimiter is unknown
    return None


def _parse_csv(data: bytes, filename: str, digest: str) -> ParsedTable:
    encoding = _detect_encoding(data)
    lines = _sample_lines(data, encoding)
    sniffed = _sniff_delimiter(lines)
    if sniffed is None:
        first = next(csv.reader(io.StringIO(lines[0] if lines else "")), None)
        raise _header_error(first)
    delimiter, (header_row, header, match) = sniffed
    reader = csv.reader(_text_stream(data, encoding), delimiter=delimiter)
    try:
        for _ in range(header_row):
            next(reader)
        rows = _collect(reader, header_row, match)
    except csv.Error as exc:
        raise ImportFileError(
            f"CSV rusak di sekitar baris {reader.line_num}: {exc}. Periksa tanda kutip.",
            reason="bad_csv",
        ) from None
    return ParsedTable(
        filename=filename,
        file_format="csv",
        layout=match.layout,
        columns=match.columns,
        header=tuple(header),
        header_row=header_row,
        rows=rows,
        sha256=digest,
        size_bytes=len(data),
        encoding=encoding.replace("-sig", ""),
        delimiter=delimiter,
    )


def delimiter_name(delimiter: str | None) -> str:
    return _DELIMITER_NAMES.get(delimiter or "", repr(delimiter))


# ---------------------------------------------------------------------------------------------
# XLSX


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data.startswith(_ZIP_MAGIC):
        raise ImportFileError(
            "Berkas bukan XLSX yang valid (bukan arsip Office Open XML). "
            "Simpan ulang dari Excel/LibreOffice sebagai .xlsx, atau unggah .csv.",
            reason="not_xlsx",
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ImportFileError(
            "Berkas XLSX rusak dan tidak dapat dibuka.", reason="bad_zip"
        ) from None


def _check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs using the sizes declared in the central directory.

    ``zipfile`` never returns more bytes than an entry declares (and checks the CRC), so the
    declared sizes bound what openpyxl can inflate.
    """
    infos = archive.infolist()
    if len(infos) > limits.MAX_XLSX_MEMBERS:
        raise ImportFileError(
            f"Berkas XLSX berisi terlalu banyak bagian ({len(infos)}).", reason="zip_bomb"
        )
    total = sum(info.file_size for info in infos)
    if total > limits.MAX_XLSX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            f"Isi XLSX terlalu besar setelah diekstrak ({_mb(total)}; batas "
            f"{_mb(limits.MAX_XLSX_UNCOMPRESSED_BYTES)}). Berkas ditolak demi keamanan.",
            reason="zip_bomb",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > limits.MAX_XLSX_RATIO:
            raise ImportFileError(
                f"Bagian {info.filename!r} dalam XLSX terkompresi secara tidak wajar "
                f"(rasio {ratio:.0f}:1). Berkas ditolak demi keamanan.",
                reason="zip_bomb",
            )


def _check_content_type(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    if "mimetype" in names and "[Content_Types].xml" not in names:
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace")
        kind = "spreadsheet OpenDocument (.ods)" if "spreadsheet" in mimetype else "OpenDocument"
        raise ImportFileError(
            f"Berkas adalah {kind}, bukan XLSX. Simpan ulang sebagai .xlsx atau .csv.",
            reason="wrong_type",
        )
    if "[Content_Types].xml" not in names:
        raise ImportFileError(
            "Berkas adalah arsip ZIP biasa, bukan XLSX. Unggah .xlsx atau .csv.",
            reason="wrong_type",
        )
    content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    if not any(kind in content_types for kind in _XLSX_CONTENT_TYPES):
        detail = "dokumen Word" if "wordprocessingml" in content_types else "bukan lembar kerja"
        if "presentationml" in content_types:
            detail = "presentasi PowerPoint"
        raise ImportFileError(
            f"Berkas Office ini {detail}, bukan XLSX. Unggah .xlsx atau .csv.",
            reason="wrong_type",
        )


_SHEET_NAME = re.compile(r"\s+")


def _pick_sheet(workbook: Any, sheet: str | None) -> Any:
    if sheet is None:
        return workbook.worksheets[0]
    wanted = _SHEET_NAME.sub(" ", sheet).strip().casefold()
    for name in workbook.sheetnames:
        if _SHEET_NAME.sub(" ", name).strip().casefold() == wanted:
            return workbook[name]
    available = ", ".join(repr(name) for name in workbook.sheetnames)
    raise ImportFileError(
        f"Lembar {sheet!r} tidak ada dalam berkas. Lembar yang tersedia: {available}.",
        reason="no_sheet",
    )


def _parse_xlsx(data: bytes, filename: str, sheet: str | None, digest: str) -> ParsedTable:
    with _open_zip(data) as archive:
        _check_zip(archive)
        _check_content_type(archive)
    import openpyxl  # imported lazily: CSV-only callers do not pay for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception:  # openpyxl raises many types (KeyError, InvalidFileException, XML errors)
        raise ImportFileError(
            "Berkas XLSX rusak atau tidak dapat dibaca. Simpan ulang dari Excel/LibreOffice.",
            reason="bad_xlsx",
        ) from None
    try:
        worksheet = _pick_sheet(workbook, sheet)
        try:
            found = _find_header(worksheet.iter_rows(values_only=True))
            if found is None:
                first = next(worksheet.iter_rows(values_only=True, max_row=1), None)
                raise _header_error(first)
            header_row, header, match = found
            rows = _collect(
                worksheet.iter_rows(min_row=header_row + 1, values_only=True), header_row, match
            )
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(
                "Isi lembar XLSX rusak dan tidak dapat dibaca.", reason="bad_xlsx"
            ) from None
        sheet_title = worksheet.title
    finally:
        workbook.close()
    return ParsedTable(
        filename=filename,
        file_format="xlsx",
        layout=match.layout,
        columns=match.columns,
        header=tuple(header),
        header_row=header_row,
        rows=rows,
        sha256=digest,
        size_bytes=len(data),
        sheet=sheet_title,
    )
