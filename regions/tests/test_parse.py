import io
import zipfile

import pytest

from regions.importer import ImportFileError, limits, parse
from regions.tests.helpers import make_csv, make_xlsx

HEADER = ["kode", "kode_induk", "nama"]
ROWS = [
    HEADER,
    ["33.14.01", "33.14", "Kalijambe"],
    ["3314012001", "331401", "Keden"],
    ["33.14.01.2004", "33.14.01", "Jetiskarangpung"],
]


def cells(table):
    return [row.cells for row in table.rows]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters(delimiter):
    table = parse(make_csv(ROWS, delimiter=delimiter), "wilayah.csv")
    assert table.delimiter == delimiter
    assert table.file_format == "csv"
    assert table.layout_name == "hierarchical"
    assert cells(table)[1] == ("3314012001", "331401", "Keden")
    assert [row.number for row in table.rows] == [2, 3, 4]


def test_semicolon_with_commas_inside_names():
    rows = [["kode", "nama"], ["12.07.28.1007", "Lubuk Pakam I,II"], ["12.07.28", "Lubuk Pakam"]]
    table = parse(make_csv(rows, delimiter=";"), "x.csv")
    assert table.delimiter == ";"
    assert cells(table)[0] == ("12.07.28.1007", "Lubuk Pakam I,II")


def test_utf8_bom():
    table = parse(make_csv(ROWS, bom=True), "bom.csv")
    assert table.encoding == "utf-8"
    assert table.header[0] == "kode"
    assert table.layout_name == "hierarchical"


def test_windows_1252_fallback():
    rows = [["kode", "nama"], ["53.07.01.2021", "Regapu’u"], ["35.13.15.2017", "Soka'an é"]]
    data = make_csv(rows, delimiter=";", encoding="cp1252")
    assert b"\x92" in data
    table = parse(data, "excel.csv")
    assert table.encoding == "cp1252"
    assert cells(table)[0][1] == "Regapu’u"
    assert cells(table)[1][1] == "Soka'an é"


def test_utf16_tab_export():
    data = "\ufeffkode\tnama\r\n33.14.01\tKalijambe\r\n".encode("utf-16-le")
    data = b"\xff\xfe" + data[2:] if data.startswith(b"\xff\xfe") else b"\xff\xfe" + data
    table = parse(data, "unicode.txt")
    assert table.delimiter == "\t"
    assert cells(table) == [("33.14.01", "Kalijambe")]


def test_title_rows_and_blank_rows_keep_spreadsheet_numbering():
    rows = [
        ["DAFTAR WILAYAH KABUPATEN SRAGEN", "", ""],
        ["", "", ""],
        HEADER,
        ["33.14.01", "33.14", "Kalijambe"],
        ["", "", ""],
        ["33.14.01.2001", "33.14.01", "Keden"],
    ]
    table = parse(make_csv(rows), "judul.csv")
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4, 6]


def test_only_layout_columns_are_kept():
    rows = [["No", "Kode", "Nama", "Keterangan"], ["1", "33.14.01", "Kalijambe", "panjang " * 50]]
    table = parse(make_csv(rows), "x.csv")
    assert [c.role for c in table.columns] == ["code", "name"]
    assert cells(table) == [("33.14.01", "Kalijambe")]


def test_short_rows_are_padded():
    table = parse(b"kode,kode_induk,nama\n33.14.01\n", "x.csv")
    assert cells(table) == [("33.14.01", "", "")]


def test_unknown_header_is_refused_in_indonesian():
    with pytest.raises(ImportFileError) as info:
        parse(make_csv([["nama", "alamat"], ["a", "b"]]), "x.csv")
    assert info.value.reason == "unknown_header"
    assert "judul kolom tidak dikenali" in str(info.value)
    assert "nama, alamat" in str(info.value)


def test_empty_file():
    with pytest.raises(ImportFileError) as info:
        parse(b"  \n", "x.csv")
    assert info.value.reason == "empty"


def test_binary_file_is_refused():
    with pytest.raises(ImportFileError) as info:
        parse(b"\x00\x01\x02garbage\x00" * 10, "x.csv")
    assert info.value.reason == "binary"


def test_sha256_and_size_recorded():
    data = make_csv(ROWS)
    table = parse(data, "x.csv")
    assert len(table.sha256) == 64
    assert table.size_bytes == len(data)


def test_file_size_limit(monkeypatch):
    data = make_csv(ROWS)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", len(data) - 1)
    with pytest.raises(ImportFileError) as info:
        parse(data, "x.csv")
    assert info.value.reason == "too_large"
    assert "terlalu besar" in str(info.value)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", len(data))
    assert len(parse(data, "x.csv").rows) == 3


def test_row_limit(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 3)
    assert len(parse(make_csv(ROWS), "x.csv").rows) == 3
    with pytest.raises(ImportFileError) as info:
        parse(make_csv([*ROWS, ["33.14.01.2002", "33.14.01", "Trobayan"]]), "x.csv")
    assert info.value.reason == "too_many_rows"
    assert "lebih dari 3 baris" in str(info.value)


def test_row_limit_counts_rows_not_blank_lines(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 3)
    monkeypatch.setattr(limits, "MAX_SCANNED_ROWS_FACTOR", 2)
    blank = [["", "", ""]] * 10
    with pytest.raises(ImportFileError) as info:
        parse(make_csv([*ROWS, *blank]), "x.csv")
    assert info.value.reason == "too_many_rows"


def test_row_limit_xlsx(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DATA_ROWS", 2)
    with pytest.raises(ImportFileError) as info:
        parse(make_xlsx({"Sheet1": ROWS}), "x.xlsx")
    assert info.value.reason == "too_many_rows"


def test_broken_quotes_report_a_line():
    data = b'kode,nama\n33.14.01,"Kalijambe\n' + b"x" * 200_000
    with pytest.raises(ImportFileError) as info:
        parse(data, "x.csv")
    assert info.value.reason == "bad_csv"


# ---------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_first_sheet_with_numeric_codes():
    rows = [
        ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"],
        [331401, "Kalijambe", 3314012001, "Keden"],
        [331401.0, "Kalijambe", "33.14.01.2002", "Trobayan"],
        [None, None, None, None],
        ["33.14.01", "Kalijambe", 3314012003, "Kalimacan"],
    ]
    table = parse(make_xlsx({"Desa": rows, "Lain": [["x"]]}), "wilayah.xlsx")
    assert table.file_format == "xlsx"
    assert table.sheet == "Desa"
    assert table.layout_name == "wide"
    assert cells(table)[0] == ("331401", "Kalijambe", "3314012001", "Keden")
    assert cells(table)[1][0] == "331401"
    assert [row.number for row in table.rows] == [2, 3, 5]


def test_xlsx_named_sheet_and_title_rows():
    rows = [["Daftar kecamatan"], [], ["Kode", "Nama"], ["33.14.01", "Kalijambe"]]
    data = make_xlsx({"Sampul": [["Judul"]], "Data Wilayah": rows})
    table = parse(data, "w.xlsx", sheet="data wilayah")
    assert table.sheet == "Data Wilayah"
    assert table.header_row == 3
    assert [row.number for row in table.rows] == [4]


def test_xlsx_missing_sheet_lists_available():
    data = make_xlsx({"Satu": ROWS, "Dua": ROWS})
    with pytest.raises(ImportFileError) as info:
        parse(data, "w.xlsx", sheet="Tiga")
    assert info.value.reason == "no_sheet"
    assert "'Satu', 'Dua'" in str(info.value)


def test_xlsx_unknown_header():
    with pytest.raises(ImportFileError) as info:
        parse(make_xlsx({"S": [["foo", "bar"], [1, 2]]}), "w.xlsx")
    assert info.value.reason == "unknown_header"


def test_csv_named_xlsx_is_refused():
    with pytest.raises(ImportFileError) as info:
        parse(make_csv(ROWS), "wilayah.xlsx")
    assert info.value.reason == "not_xlsx"


def test_legacy_xls_is_refused():
    with pytest.raises(ImportFileError) as info:
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    assert info.value.reason == "legacy_xls"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_truncated_zip_is_refused():
    data = make_xlsx({"S": ROWS})
    with pytest.raises(ImportFileError) as info:
        parse(data[: len(data) // 2], "w.xlsx")
    assert info.value.reason == "bad_zip"


def test_plain_zip_is_refused():
    with pytest.raises(ImportFileError) as info:
        parse(_zip({"data.csv": make_csv(ROWS)}), "w.xlsx")
    assert info.value.reason == "wrong_type"


def test_docx_is_refused():
    types = (
        b'<Types><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    with pytest.raises(ImportFileError) as info:
        parse(_zip({"[Content_Types].xml": types, "word/document.xml": b"<w/>"}), "w.xlsx")
    assert info.value.reason == "wrong_type"
    assert "Word" in str(info.value)


def test_ods_is_refused():
    data = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    with pytest.raises(ImportFileError) as info:
        parse(data, "w.ods")
    assert info.value.reason == "wrong_type"
    assert ".ods" in str(info.value)


def test_zip_bomb_total_size_is_refused_before_opening(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED_BYTES", 1024 * 1024)
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * 2_000_000})
    assert len(data) < 50_000
    with pytest.raises(ImportFileError) as info:
        parse(data, "bomb.xlsx")
    assert info.value.reason == "zip_bomb"
    assert "terlalu besar" in str(info.value)


def test_zip_bomb_ratio_is_refused():
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": b"A" * 5_000_000})
    with pytest.raises(ImportFileError) as info:
        parse(data, "bomb.xlsx")
    assert info.value.reason == "zip_bomb"
    assert "rasio" in str(info.value)


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(limits, "MAX_XLSX_MEMBERS", 5)
    data = _zip({f"f{i}.xml": b"x" for i in range(6)})
    with pytest.raises(ImportFileError) as info:
        parse(data, "many.xlsx")
    assert info.value.reason == "zip_bomb"


def test_corrupt_sheet_xml_is_refused():
    good = make_xlsx({"S": ROWS})
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c"
    with pytest.raises(ImportFileError) as info:
        parse(_zip(members), "broken.xlsx")
    assert info.value.reason == "bad_xlsx"
