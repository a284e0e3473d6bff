import pytest

from regions.codes import InvalidCode
from regions.importer import from_reference, parse, parse_kind, validate
from regions.tests.helpers import FIXTURES, make_csv, make_xlsx

SRAGEN = "33.14"
HIER = ["kode", "kode_induk", "nama"]
WIDE = ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"]


def check(rows, regency=SRAGEN, **kwargs):
    return validate(parse(make_csv(rows, **kwargs), "wilayah.csv"), regency)


def rules(issues):
    return [(issue.rule, issue.row) for issue in issues]


def only(issues, rule):
    found = [issue for issue in issues if issue.rule == rule]
    assert len(found) == 1, issues
    return found[0]


def test_hierarchical_with_dotted_and_undotted_codes():
    result = check(
        [
            HIER,
            ["331401", "3314", "Kalijambe"],
            ["33.14.01.2001", "33.14.01", "Keden"],
            ["3314012002", "331401", "  Trobayan  "],
        ]
    )
    assert result.ok, result.errors
    assert result.warnings == []
    assert result.layout == "hierarchical"
    assert [(d.code, d.name, d.row) for d in result.districts] == [("33.14.01", "Kalijambe", 2)]
    assert [(v.code, v.name, v.district_code, v.kind, v.row) for v in result.villages] == [
        ("33.14.01.2001", "Keden", "33.14.01", "desa", 3),
        ("33.14.01.2002", "Trobayan", "33.14.01", "desa", 4),
    ]


def test_flat_level_from_code_length():
    result = check(
        [["Kode", "Nama"], ["3314012001", "Keden"], ["331401", "Kalijambe"]], delimiter="\t"
    )
    assert result.ok
    assert result.layout == "flat"
    assert [d.code for d in result.districts] == ["33.14.01"]
    assert [v.code for v in result.villages] == ["33.14.01.2001"]


def test_wide_layout_repeats_kecamatan():
    result = check(
        [
            WIDE,
            ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
            ["331401", "KALIJAMBE", "3314012002", "Trobayan"],
            ["33.14.09", "Sragen", "33.14.09.1009", "Plumbungan"],
        ],
        delimiter=";",
    )
    assert result.ok, result.errors
    assert result.layout == "wide"
    assert [(d.code, d.row) for d in result.districts] == [("33.14.01", 2), ("33.14.09", 4)]
    assert [v.kind for v in result.villages] == ["desa", "desa", "kelurahan"]


def test_xlsx_wide_validates():
    rows = [WIDE, [331401, "Kalijambe", 3314012001, "Keden"]]
    result = validate(parse(make_xlsx({"S": rows}), "w.xlsx"), "3314")
    assert result.ok
    assert result.regency_code == SRAGEN


def test_malformed_code():
    result = check([HIER, ["33.14.1", "33.14", "Kalijambe"], ["abc", "", "X"]])
    assert rules(result.errors) == [("malformed_code", 2), ("malformed_code", 3)]
    issue = result.errors[0]
    assert (issue.column, issue.column_letter, issue.value) == ("kode", "A", "33.14.1")
    assert issue.message.startswith("Kode tidak valid")
    assert issue.as_text().startswith("Baris 2, kolom kode (A), nilai '33.14.1': Kode tidak valid")


def test_empty_code():
    result = check([HIER, ["", "33.14", "Kalijambe"]])
    issue = only(result.errors, "malformed_code")
    assert issue.message == "Kode kosong."


def test_malformed_parent_code():
    result = check([HIER, ["33.14.01", "33.1", "Kalijambe"]])
    issue = only(result.errors, "malformed_code")
    assert (issue.column, issue.value) == ("kode_induk", "33.1")


def test_code_outside_regency():
    result = check([HIER, ["33.15.01", "33.15", "Gesi"], ["3314", "33", "Kabupaten Sragen"]])
    issue = only(result.errors, "outside_regency")
    assert (issue.row, issue.value) == (2, "33.15.01")
    assert "di luar Kabupaten Sragen (33.14)" in issue.message
    assert only(result.warnings, "ignored_row").row == 3


def test_other_province_row_is_outside():
    result = check([HIER, ["34", "", "DIY"]])
    assert rules(result.errors) == [("outside_regency", 2)]


def test_village_without_kecamatan():
    result = check(
        [HIER, ["33.14.01", "33.14", "Kalijambe"], ["33.14.02.2001", "33.14.02", "Karangwaru"]]
    )
    issue = only(result.errors, "missing_district")
    assert (issue.row, issue.column, issue.value) == (3, "kode", "33.14.02.2001")
    assert "Kecamatan 33.14.02" in issue.message


def test_duplicate_code():
    result = check(
        [
            HIER,
            ["33.14.01", "33.14", "Kalijambe"],
            ["33.14.01.2001", "33.14.01", "Keden"],
            ["3314012001", "331401", "keden"],
        ]
    )
    issue = only(result.errors, "duplicate_code")
    assert issue.row == 4
    assert "pertama di baris 3" in issue.message


def test_same_code_two_names():
    result = check(
        [
            HIER,
            ["33.14.01", "33.14", "Kalijambe"],
            ["33.14.01.2001", "33.14.01", "Keden"],
            ["33.14.01.2001", "33.14.01", "Trobayan"],
        ]
    )
    issue = only(result.errors, "conflicting_name")
    assert (issue.row, issue.column, issue.value) == (4, "nama", "Trobayan")
    assert "baris 3" in issue.message and "'Keden'" in issue.message


def test_wide_kecamatan_with_two_names():
    result = check(
        [
            WIDE,
            ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
            ["33.14.01", "Plupuh", "33.14.01.2002", "Trobayan"],
        ]
    )
    issue = only(result.errors, "conflicting_name")
    assert (issue.row, issue.column, issue.value) == (3, "nama_kecamatan", "Plupuh")


def test_empty_name():
    result = check([HIER, ["33.14.01", "33.14", "Kalijambe"], ["33.14.01.2001", "33.14.01", " "]])
    issue = only(result.errors, "empty_name")
    assert (issue.row, issue.column) == (3, "nama")
    assert issue.message == "Nama kosong."


@pytest.mark.parametrize(
    ("code", "kind", "ok"),
    [
        ("33.14.01.2001", "desa", True),
        ("33.14.01.2001", "DESA", True),
        ("33.14.01.2001", "Desa/Kelurahan", True),
        ("33.14.09.1009", "Kelurahan", True),
        ("33.14.09.1009", "kel.", True),
        ("33.14.01.3001", "Desa Adat", True),
        ("33.14.01.2001", "kelurahan", False),
        ("33.14.09.1009", "desa", False),
        ("33.14.01.3001", "desa", False),
        ("33.14.01.2001", "desa adat", False),
        ("33.14.01.2001", "kecamatan", False),
    ],
)
def test_kind_column_against_code(code, kind, ok):
    district = code[:8]
    result = check(
        [
            ["kode", "kode_induk", "nama", "jenis"],
            [district, "33.14", "Kec", "kecamatan"],
            [code, district, "X", kind],
        ]
    )
    if ok:
        assert result.ok, result.errors
    else:
        issue = only(result.errors, "kind_mismatch")
        assert (issue.row, issue.column, issue.value) == (3, "jenis", kind)
        assert "bertentangan" in issue.message


def test_kind_on_district_row():
    result = check([["kode", "nama", "jenis"], ["33.14.01", "Kalijambe", "desa"]])
    assert only(result.errors, "kind_mismatch").row == 2


def test_unknown_kind():
    result = check([["kode", "nama", "jenis"], ["33.14.01", "Kalijambe", "provinsi"]])
    issue = only(result.errors, "unknown_kind")
    assert issue.value == "provinsi"


def test_kind_in_wide_layout():
    result = check(
        [[*WIDE, "jenis"], ["33.14.09", "Sragen", "33.14.09.1009", "Plumbungan", "desa"]]
    )
    assert only(result.errors, "kind_mismatch").column == "jenis"


def test_parent_mismatch_hierarchical():
    result = check(
        [
            HIER,
            ["33.14.01", "33.14", "Kalijambe"],
            ["33.14.02", "33.14", "Plupuh"],
            ["33.14.01.2001", "33.14.02", "Keden"],
        ]
    )
    issue = only(result.errors, "parent_mismatch")
    assert (issue.row, issue.column, issue.value) == (4, "kode_induk", "33.14.02")


def test_parent_mismatch_wide():
    result = check(
        [
            WIDE,
            ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
            ["33.14.01", "Kalijambe", "33.14.02.2001", "Karangwaru"],
        ]
    )
    assert ("parent_mismatch", 3) in rules(result.errors)
    assert ("missing_district", 3) in rules(result.errors)


def test_wrong_level_in_wide_column():
    result = check([WIDE, ["33.14.01.2001", "Kalijambe", "33.14.01.2001", "Keden"]])
    issue = result.errors[0]
    assert (issue.rule, issue.column) == ("wrong_level", "kode_kecamatan")


def test_warnings_do_not_block():
    result = check(
        [
            HIER,
            ["33.14.01", "33.14", "KALIJAMBE"],
            ["33.14.01.2001", "33.14.01", "Keden Baru"],
            ["33.14.01.2099", "33.14.01", "Desa Pemekaran"],
        ]
    )
    assert result.ok
    assert rules(result.warnings) == [("name_differs", 3), ("not_in_reference", 4)]
    differs = result.warnings[0]
    assert (differs.column, differs.value) == ("nama", "Keden Baru")
    assert "'Keden'" in differs.message


def test_every_error_is_reported_at_once():
    result = check(
        [
            HIER,
            ["33.14.1", "", "A"],
            ["33.15.01", "33.15", "B"],
            ["33.14.01", "33.14", ""],
            ["33.14.03.2001", "33.14.03", "C"],
        ]
    )
    assert [issue.rule for issue in result.errors] == [
        "malformed_code",
        "outside_regency",
        "empty_name",
        "missing_district",
    ]
    assert [issue.row for issue in result.errors] == [2, 3, 4, 5]


def test_header_only_file_is_an_error():
    result = check([HIER, ["", "", ""]])
    assert rules(result.errors) == [("no_data", None)]
    assert not result.ok


def test_invalid_regency_argument():
    table = parse(make_csv([HIER, ["33.14.01", "33.14", "Kalijambe"]]), "x.csv")
    with pytest.raises(InvalidCode):
        validate(table, "33")


def test_parse_kind():
    assert parse_kind("Desa_Adat") == "desa_adat"
    assert parse_kind(" KEL. ") == "kelurahan"
    assert parse_kind("Kecamatan") == "district"
    assert parse_kind("Kampung") == "desa"
    assert parse_kind("kota") is None


def test_from_reference():
    result = from_reference("3314")
    assert result.ok
    assert result.layout == "reference"
    assert result.counts() == {"districts": 20, "villages": 208, "errors": 0, "warnings": 0}
    assert result.villages[0].district_code == "33.14.01"
    with pytest.raises(InvalidCode):
        from_reference("33.99")


def test_reference_round_trips_through_a_file():
    reference_result = from_reference(SRAGEN)
    names = {d.code: d.name for d in reference_result.districts}
    rows = [WIDE] + [
        [v.district_code, names[v.district_code], v.code.replace(".", ""), v.name]
        for v in reference_result.villages
    ]
    result = check(rows)
    assert result.ok and result.warnings == []
    assert result.districts == tuple(
        type(d)(d.code, d.name, result.districts[i].row)
        for i, d in enumerate(reference_result.districts)
    )
    assert [(v.code, v.name, v.kind) for v in result.villages] == [
        (v.code, v.name, v.kind) for v in reference_result.villages
    ]


def test_sragen_fixture_has_one_renamed_desa():
    table = parse((FIXTURES / "sragen_koreksi.csv").read_bytes(), "sragen_koreksi.csv")
    result = validate(table, SRAGEN)
    assert table.layout_name == "wide"
    assert result.ok
    assert result.counts()["villages"] == 208
    issue = only(result.warnings, "name_differs")
    assert (issue.row, issue.value) == (5, "Jetis Karangpung")
