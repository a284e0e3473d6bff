import random
import time
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from regions import reference
from regions.importer import ExistingRegion, diff, from_reference, parse, validate
from regions.importer.types import DistrictRecord, ValidationResult, VillageRecord
from regions.tests.helpers import FIXTURES, apply, existing_from, make_csv

SRAGEN = "33.14"


def sragen_file():
    table = parse((FIXTURES / "sragen_koreksi.csv").read_bytes(), "sragen_koreksi.csv")
    return validate(table, SRAGEN)


def test_fresh_tenant_adds_everything_then_nothing():
    incoming = from_reference(SRAGEN)
    first = diff([], incoming)
    assert first.summary() == {
        "added": 228,
        "renamed": 0,
        "moved": 0,
        "inactivated": 0,
        "reactivated": 0,
        "unchanged": 0,
    }
    assert [c.level for c in first.added[:20]] == ["district"] * 20
    assert first.added[20].kind == "desa"
    after = apply([], first)
    again = diff(after, incoming)
    assert not again.has_changes
    assert again.summary()["unchanged"] == 228


def test_corrected_file_shows_exactly_one_rename_and_is_idempotent():
    existing = existing_from(from_reference(SRAGEN))
    result = diff(existing, sragen_file())
    assert result.summary() == {
        "added": 0,
        "renamed": 1,
        "moved": 0,
        "inactivated": 0,
        "reactivated": 0,
        "unchanged": 227,
    }
    (change,) = result.renamed
    assert (change.code, change.old_name, change.name) == (
        "33.14.01.2004",
        "Jetiskarangpung",
        "Jetis Karangpung",
    )
    assert change.name_changed
    applied = apply(existing, result)
    assert not diff(applied, sragen_file()).has_changes


def test_missing_rows_are_inactivated_not_deleted_and_reactivated_later():
    full = from_reference(SRAGEN)
    existing = existing_from(full)
    partial = ValidationResult(
        SRAGEN, "flat", full.districts, tuple(v for v in full.villages if v.code != "33.14.01.2001")
    )
    result = diff(existing, partial)
    assert [(c.code, c.change, c.parent_code) for c in result.missing] == [
        ("33.14.01.2001", "missing", "33.14.01")
    ]
    applied = apply(existing, result)
    assert len(applied) == len(existing)
    assert not diff(applied, partial).has_changes  # inactive and absent: nothing to do
    back = diff(applied, full)
    assert [c.code for c in back.reactivated] == ["33.14.01.2001"]
    assert back.summary()["reactivated"] == 1
    assert not diff(apply(applied, back), full).has_changes


def test_reactivation_carries_a_rename():
    existing = [ExistingRegion("33.14.01", "Kalijambe Lama", "33.14", is_active=False)]
    incoming = ValidationResult(SRAGEN, "flat", (DistrictRecord("33.14.01", "Kalijambe"),))
    (change,) = diff(existing, incoming).reactivated
    assert (change.old_name, change.name) == ("Kalijambe Lama", "Kalijambe")


def _two_districts(villages):
    return ValidationResult(
        SRAGEN,
        "hierarchical",
        (DistrictRecord("33.14.01", "Kalijambe"), DistrictRecord("33.14.02", "Plupuh")),
        tuple(villages),
    )


def test_village_moved_to_another_kecamatan():
    existing = [
        ExistingRegion("33.14.01", "Kalijambe", "33.14"),
        ExistingRegion("33.14.02", "Plupuh", "33.14"),
        ExistingRegion("33.14.01.2004", "Jetiskarangpung", "33.14.01"),
    ]
    incoming = _two_districts(
        [VillageRecord("33.14.02.2099", "JETISKARANGPUNG", "33.14.02", "desa")]
    )
    result = diff(existing, incoming)
    assert result.added == [] and result.missing == []
    (move,) = result.moved
    assert (move.old_code, move.code, move.old_parent_code, move.parent_code) == (
        "33.14.01.2004",
        "33.14.02.2099",
        "33.14.01",
        "33.14.02",
    )
    assert move.name_changed
    assert not diff(apply(existing, result), incoming).has_changes


def test_ambiguous_or_same_kecamatan_is_not_a_move():
    existing = [
        ExistingRegion("33.14.01.2004", "Banaran", "33.14.01"),
        ExistingRegion("33.14.01.2009", "Banaran", "33.14.01"),
        ExistingRegion("33.14.01.2010", "Karangjati", "33.14.01"),
    ]
    incoming = _two_districts(
        [
            VillageRecord("33.14.02.2099", "Banaran", "33.14.02", "desa"),
            VillageRecord("33.14.01.2098", "Karangjati", "33.14.01", "desa"),
        ]
    )
    result = diff(existing, incoming)
    assert result.moved == []
    assert [c.code for c in result.added] == [
        "33.14.01",
        "33.14.02",
        "33.14.01.2098",
        "33.14.02.2099",
    ]
    assert [c.code for c in result.missing] == ["33.14.01.2004", "33.14.01.2009", "33.14.01.2010"]


def test_same_code_with_a_different_stored_parent_is_moved():
    existing = [ExistingRegion("33.14.01.2004", "Jetiskarangpung", "33.14.02")]
    incoming = _two_districts(
        [VillageRecord("33.14.01.2004", "Jetiskarangpung", "33.14.01", "desa")]
    )
    (move,) = diff(existing, incoming).moved
    assert (move.old_code, move.code, move.old_parent_code, move.parent_code) == (
        "33.14.01.2004",
        "33.14.01.2004",
        "33.14.02",
        "33.14.01",
    )
    assert not move.name_changed


def test_diff_is_deterministic():
    full = from_reference(SRAGEN)
    existing = existing_from(full)[::2]
    existing = [replace(e, name=e.name + " X") if i % 7 == 0 else e for i, e in enumerate(existing)]
    villages = list(full.villages[:150])
    expected = diff(existing, replace(full, villages=tuple(villages)))
    rng = random.Random(4)
    for _ in range(5):
        rng.shuffle(existing)
        rng.shuffle(villages)
        shuffled = replace(full, villages=tuple(villages))
        assert diff(existing, shuffled) == expected


def test_existing_codes_are_normalised():
    existing = [ExistingRegion("331401", "Kalijambe", "3314")]
    incoming = ValidationResult(SRAGEN, "flat", (DistrictRecord("33.14.01", "Kalijambe"),))
    assert diff(existing, incoming).summary()["unchanged"] == 1


_reference_villages = from_reference(SRAGEN).villages


@settings(max_examples=40, deadline=None)
@given(
    before=st.sets(st.integers(0, len(_reference_villages) - 1), max_size=60),
    after=st.sets(st.integers(0, len(_reference_villages) - 1), max_size=60),
    renamed=st.sets(st.integers(0, len(_reference_villages) - 1), max_size=10),
    inactive=st.sets(st.integers(0, len(_reference_villages) - 1), max_size=10),
)
def test_applying_a_diff_then_rediffing_yields_nothing(before, after, renamed, inactive):
    full = from_reference(SRAGEN)
    existing = [
        ExistingRegion(
            v.code,
            v.name + (" Lama" if i in renamed else ""),
            v.district_code,
            i not in inactive,
        )
        for i, v in enumerate(_reference_villages)
        if i in before
    ]
    incoming = replace(full, villages=tuple(_reference_villages[i] for i in sorted(after)))
    first = diff(existing, incoming)
    applied = apply(existing, first)
    second = diff(applied, incoming)
    assert not second.has_changes
    assert second.summary()["unchanged"] == len(incoming.districts) + len(incoming.villages)


def test_largest_regency_import_is_fast():
    """region_import_seconds: parse + validate + diff of Aceh Utara (852 villages) from CSV."""
    names = {d.code: d.name for d in reference.districts_of("11.08")}
    rows = [["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"]] + [
        [v.district_code, names[v.district_code], v.code, v.name]
        for v in reference.villages_of("11.08")
    ]
    data = make_csv(rows, delimiter=";", bom=True)
    existing = existing_from(from_reference("11.08"))
    started = time.perf_counter()
    result = validate(parse(data, "aceh_utara.csv"), "11.08")
    changes = diff(existing, result)
    elapsed = time.perf_counter() - started
    print(f"region_import_seconds={elapsed:.3f}")
    assert result.ok and not changes.has_changes
    assert len(result.villages) == 852
    assert elapsed < 1.0
