import pytest
from hypothesis import given
from hypothesis import strategies as st

from regions.codes import (
    InvalidCode,
    is_valid_code,
    level_of,
    normalize_code,
    parent_of,
    regency_kind,
    regency_of,
    village_kind,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("32", "32"),
        ("3273", "32.73"),
        ("327301", "32.73.01"),
        ("3273011001", "32.73.01.1001"),
        ("32.73.01.1001", "32.73.01.1001"),
        (" 32.73.01.1001 ", "32.73.01.1001"),
        ("32 73 01 1001", "32.73.01.1001"),
        ("3273011001.0", "32.73.01.1001"),
        ("33.14.01.2004", "33.14.01.2004"),
        ("91.03.01.3007", "91.03.01.3007"),
    ],
)
def test_normalize_code_accepts_dotted_and_undotted(raw, expected):
    assert normalize_code(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "3",
        "327",
        "32.7",
        "32.73.1",
        "3273011",
        "32730110011",
        "32.7301",
        "32..73",
        "abc",
        "32-73",
        "00",
        "10.01",
        "32.00",
        "32.70",
        "32.73.00",
        "32.73.01.0001",
        "32.73.01.4001",
        "32.73.01.1000",
        "3.27301E+09",
    ],
)
def test_normalize_code_rejects_malformed(raw):
    with pytest.raises(InvalidCode) as info:
        normalize_code(raw)
    assert isinstance(info.value, ValueError)
    assert "Kode wilayah tidak valid" in str(info.value)
    assert not is_valid_code(raw)


def test_scientific_notation_gets_a_hint():
    with pytest.raises(InvalidCode, match="notasi ilmiah"):
        normalize_code("3.27301E+09")


def test_non_string_is_invalid():
    with pytest.raises(InvalidCode):
        normalize_code(3273)  # type: ignore[arg-type]


def test_levels_and_parents():
    assert level_of("32") == "province"
    assert level_of("3273") == "regency"
    assert level_of("32.73.01") == "district"
    assert level_of("3273011001") == "village"
    assert parent_of("32.73.01.1001") == "32.73.01"
    assert parent_of("327301") == "32.73"
    assert parent_of("32") is None
    assert regency_of("3273011001") == "32.73"
    with pytest.raises(InvalidCode):
        regency_of("32")


@pytest.mark.parametrize(
    ("code", "kind"),
    [("31.74.06.1003", "kelurahan"), ("3314012004", "desa"), ("91.03.01.3007", "desa_adat")],
)
def test_village_kind_from_first_digit(code, kind):
    assert village_kind(code) == kind


@pytest.mark.parametrize("code", ["32.73.01", "32.73", "32.73.01.4001", "32.73.01.9001"])
def test_village_kind_rejects_non_village(code):
    with pytest.raises(InvalidCode):
        village_kind(code)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("33.01", "kabupaten"), ("33.69", "kabupaten"), ("32.71", "kota"), ("32.99", "kota")],
)
def test_regency_kind(code, kind):
    assert regency_kind(code) == kind
    assert regency_kind(code + ".01") == kind


def test_regency_kind_rejects_province():
    with pytest.raises(InvalidCode):
        regency_kind("33")


_parts = st.tuples(
    st.integers(11, 99),
    st.integers(1, 99).filter(lambda n: n != 70),
    st.integers(1, 99),
    st.integers(1, 3),
    st.integers(1, 999),
)


@given(_parts)
def test_dotted_and_undotted_agree(parts):
    province, regency, district, kind, number = parts
    dotted = f"{province:02d}.{regency:02d}.{district:02d}.{kind}{number:03d}"
    undotted = dotted.replace(".", "")
    assert normalize_code(undotted) == dotted
    assert normalize_code(dotted) == dotted
    assert normalize_code(normalize_code(dotted)) == dotted
    assert level_of(dotted) == "village"
