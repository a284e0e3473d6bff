import re
import time

import pytest

from regions import reference
from regions.codes import InvalidCode


def test_reference_load_is_fast():
    reference.clear_cache()
    started = time.perf_counter()
    reference.load_all()
    elapsed = time.perf_counter() - started
    print(f"region_reference_load_seconds={elapsed:.3f}")
    assert elapsed < 5.0


def test_national_totals_match_the_decree():
    assert len(reference.provinces()) == 38
    regencies = reference.regencies()
    assert len(regencies) == 514
    assert sum(r.kind == "kabupaten" for r in regencies) == 416
    assert sum(r.kind == "kota" for r in regencies) == 98
    assert sum(len(reference.districts_of(r.code)) for r in regencies) == 7285
    villages = [v for r in regencies for v in reference.villages_of(r.code)]
    assert len(villages) == 83762
    assert sum(v.kind == "kelurahan" for v in villages) == 8496
    assert sum(v.kind != "kelurahan" for v in villages) == 75266


def test_kind_matches_name_prefix():
    for regency in reference.regencies():
        assert regency.name.startswith("Kota " if regency.kind == "kota" else "Kabupaten ")


def test_lookups():
    assert reference.province("32").name == "Jawa Barat"
    assert reference.province("96").name == "Papua Barat Daya"
    bandung = reference.regency("3273")
    assert (bandung.code, bandung.name, bandung.province_code, bandung.kind) == (
        "32.73",
        "Kota Bandung",
        "32",
        "kota",
    )
    assert reference.regency("33.14").name == "Kabupaten Sragen"
    assert reference.regency("33.99") is None
    assert reference.district("33.14.01").name == "Kalijambe"
    village = reference.village("3314012004")
    assert (village.name, village.district_code, village.kind) == (
        "Jetiskarangpung",
        "33.14.01",
        "desa",
    )
    assert reference.village("31.74.06.1003").kind == "kelurahan"


def test_regencies_of_province():
    central_java = reference.regencies("33")
    assert len(central_java) == 35
    assert all(r.province_code == "33" for r in central_java)
    assert [r.code for r in central_java] == sorted(r.code for r in central_java)


def test_districts_and_villages_of_a_regency():
    districts = reference.districts_of("33.14")
    villages = reference.villages_of("3314")
    assert len(districts) == 20
    assert len(villages) == 208
    assert all(v.code.startswith("33.14.") for v in villages)
    assert [v.code for v in villages] == sorted(v.code for v in villages)
    assert {v.district_code for v in villages} == {d.code for d in districts}
    assert len(reference.villages_of("11.08")) == 852  # Aceh Utara, the largest
    assert reference.villages_of("33.99") == ()


def test_per_regency_lookup_is_indexed():
    first = reference.villages_of("11.08")
    started = time.perf_counter()
    for _ in range(1000):
        again = reference.villages_of("11.08")
    assert again is first
    assert time.perf_counter() - started < 0.1


def test_is_known():
    for code in ("32", "3273", "32.73.01", "3273011001", "33.14.01.2004"):
        assert reference.is_known(code), code
    for code in ("99", "33.99", "33.14.99", "33.14.01.2999", "garbage", ""):
        assert not reference.is_known(code), code


def test_search_regencies():
    names = [r.name for r in reference.search_regencies("bandung")]
    assert names == ["Kabupaten Bandung", "Kabupaten Bandung Barat", "Kota Bandung"]
    assert [r.code for r in reference.search_regencies("  SRAGEN ")] == ["33.14"]
    assert [r.code for r in reference.search_regencies("kota  bandung")] == ["32.73"]
    assert [r.code for r in reference.search_regencies("3314")] == ["33.14"]
    assert len(reference.search_regencies("")) == 514
    assert len(reference.search_regencies("kab", limit=5)) == 5
    assert reference.search_regencies("zzzz") == []


def test_invalid_codes_raise():
    with pytest.raises(InvalidCode):
        reference.regency("32.7")
    with pytest.raises(InvalidCode):
        reference.villages_of("x")


def test_source_and_licence():
    info = reference.source_info()
    assert info["package"] == "idn-area-data"
    assert info["version"] == "4.0.1"
    assert re.fullmatch(r"[0-9a-f]{64}", info["tarball_sha256"])
    assert info["counts"] == {
        "provinces": 38,
        "regencies": 514,
        "districts": 7285,
        "villages": 83762,
    }
    assert "4.0.1" in reference.source_version()
    assert "300.2.2-2138" in reference.source_version()
    assert "ODbL" in reference.attribution()
    source_md = " ".join((reference.DATA_DIR / "SOURCE.md").read_text(encoding="utf-8").split())
    assert reference.attribution() in source_md
    licence = (reference.DATA_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Open Database License" in licence
    assert "Kepmendagri" in (reference.DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")
