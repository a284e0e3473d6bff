import pytest

from regions.importer import detect_layout, normalize_header


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kode Desa / Kelurahan", "kode_desa_kelurahan"),
        ("\ufeffKODE", "kode"),
        ("  Nama-Kecamatan ", "nama_kecamatan"),
        ("parent.code", "parent_code"),
    ],
)
def test_normalize_header(raw, expected):
    assert normalize_header(raw) == expected


@pytest.mark.parametrize(
    ("header", "layout", "roles"),
    [
        (["code", "parent_code", "name"], "hierarchical", ["code", "parent_code", "name"]),
        (["KODE", "KODE_INDUK", "NAMA"], "hierarchical", ["code", "parent_code", "name"]),
        (["Kode", "Kode Kecamatan", "Nama", "Jenis"], "hierarchical", None),
        (["No", "Kode Wilayah", "Nama Wilayah"], "flat", ["code", "name"]),
        (["kode", "nama"], "flat", ["code", "name"]),
        (["Code", "Name", "Kind"], "flat", ["code", "name", "kind"]),
        (
            ["kecamatan_code", "kecamatan_name", "village_code", "village_name"],
            "wide",
            ["district_code", "district_name", "village_code", "village_name"],
        ),
        (
            ["Kode Kecamatan", "Nama Kecamatan", "Kode Desa/Kelurahan", "Nama Desa/Kelurahan"],
            "wide",
            None,
        ),
        (["kode_kec", "kecamatan", "kode_kelurahan", "nama_kelurahan", "jenis"], "wide", None),
    ],
)
def test_detect_layout(header, layout, roles):
    match = detect_layout(header)
    assert match is not None
    assert match.layout.name == layout
    assert match.layout.description
    if roles is not None:
        assert [c.role for c in match.columns] == roles


def test_columns_keep_original_header_and_index():
    match = detect_layout(["No", "Kode", "Nama"])
    code = next(c for c in match.columns if c.role == "code")
    assert (code.index, code.header, code.letter, code.label) == (1, "Kode", "B", "Kode (kolom B)")


def test_kind_column_is_optional_role():
    match = detect_layout(["kode", "kode_induk", "nama", "jenis"])
    assert [c.role for c in match.columns] == ["code", "parent_code", "name", "kind"]


@pytest.mark.parametrize(
    "header",
    [
        ["nama", "alamat"],
        ["kode"],
        [],
        ["DAFTAR DESA KABUPATEN SRAGEN"],
        ["kode_desa", "nama_desa"],
    ],
)
def test_unknown_headers(header):
    assert detect_layout(header) is None


def test_descriptions_are_indonesian():
    descriptions = {
        detect_layout(h).layout.name: detect_layout(h).layout.description
        for h in (
            ["kode", "nama"],
            ["kode", "kode_induk", "nama"],
            ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"],
        )
    }
    assert "panjang kode" in descriptions["flat"]
    assert "kode induk" in descriptions["hierarchical"]
    assert "kecamatan" in descriptions["wide"]
