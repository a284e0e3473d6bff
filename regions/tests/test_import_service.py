"""Region import service (regions.services) against real tenant schemas.

Kabupaten Sragen (33.14, tenant_b) is the kab/kota under test; Kota Bandung (tenant_a) must never
be touched by it."""

from __future__ import annotations

import pytest

from regions.models import District, RegionImport, Village
from regions.services import RegionImportInvalid, region_import_apply, region_import_preview
from regions.tests.helpers import FIXTURES, make_csv, make_xlsx

W = ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"]
WK = [*W, "jenis"]
OK = ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"]
KOREKSI = (FIXTURES / "sragen_koreksi.csv").read_bytes()

# One file per validation rule; each must be refused with that rule on that row.
INVALID_FILES = {
    "malformed_code": ([W, OK, ["33.14.01", "Kalijambe", "33.14.01.20X2", "Trobayan"]], 3),
    "outside_regency": ([W, OK, ["33.13.01", "Lain", "33.13.01.2001", "Lain"]], 3),
    "wrong_level": ([W, OK, ["33.14.01.2002", "Kalijambe", "33.14.01.2002", "Trobayan"]], 3),
    "missing_district": (
        [["kode", "nama"], ["33.14.01", "Kalijambe"], ["33.14.01.2001", "Keden"],
         ["33.14.02.2001", "Tanpa Kecamatan"]],
        4,
    ),
    "duplicate_code": (
        [["kode", "nama"], ["33.14.01", "Kalijambe"], ["33.14.01.2001", "Keden"],
         ["33.14.01.2001", "Keden"]],
        4,
    ),
    "conflicting_name": ([W, OK, ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden Baru"]], 3),
    "empty_name": ([W, OK, ["33.14.01", "Kalijambe", "33.14.01.2002", ""]], 3),
    "kind_mismatch": (
        [WK, [*OK, "desa"], ["33.14.01", "Kalijambe", "33.14.01.2002", "Trobayan", "kelurahan"]],
        3,
    ),
    "unknown_kind": (
        [WK, [*OK, "desa"], ["33.14.01", "Kalijambe", "33.14.01.2002", "Trobayan", "dusun"]],
        3,
    ),
    "parent_mismatch": (
        [["kode", "kode_induk", "nama"], ["33.14.01", "33.14", "Kalijambe"],
         ["33.14.02", "33.14", "Plupuh"], ["33.14.01.2001", "33.14.02", "Keden"]],
        4,
    ),
    "no_data": ([W], None),
}


def _snapshot(tenant, in_tenant) -> dict[str, object]:
    with in_tenant(tenant):
        return {
            "districts": sorted(District.objects.values_list("code", "name", "is_active")),
            "villages": sorted(
                Village.objects.values_list("code", "name", "is_active", "district__code")
            ),
            "imports": RegionImport.objects.count(),
        }


@pytest.fixture
def sragen_from_reference(tenant_b, in_tenant):
    with in_tenant(tenant_b):
        return region_import_apply(actor=None, source="reference")


@pytest.mark.parametrize("rule", sorted(INVALID_FILES))
def test_every_validation_rule_blocks_the_import_and_writes_nothing(
    rule, tenant_a, tenant_b, in_tenant, sragen_from_reference
):
    # given Sragen filled from the national list
    rows, row_number = INVALID_FILES[rule]
    data = make_csv(rows)
    before = _snapshot(tenant_b, in_tenant), _snapshot(tenant_a, in_tenant)
    with in_tenant(tenant_b):
        # when previewing, the rule is reported on its row
        preview = region_import_preview(source="file", file_bytes=data, filename="salah.csv")
        assert rule in {issue.rule for issue in preview.errors}
        assert row_number in {issue.row for issue in preview.errors if issue.rule == rule}
        assert preview.diff is None
        # and applying is refused
        with pytest.raises(RegionImportInvalid) as refused:
            region_import_apply(actor=None, source="file", file_bytes=data, filename="salah.csv")
    assert refused.value.extra["errors"]
    assert any(e["rule"] == rule for e in refused.value.extra["errors"])
    # then nothing changed in either tenant (no partial write, no history row)
    assert (_snapshot(tenant_b, in_tenant), _snapshot(tenant_a, in_tenant)) == before


@pytest.mark.parametrize(
    ("data", "filename", "rule"),
    [
        (b"", "kosong.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "lama.xls", "legacy_xls"),
    ],
)
def test_unreadable_files_are_errors_not_crashes(data, filename, rule, tenant_b, in_tenant):
    before = _snapshot(tenant_b, in_tenant)
    with in_tenant(tenant_b):
        preview = region_import_preview(source="file", file_bytes=data, filename=filename)
        assert [issue.rule for issue in preview.errors] == [rule]
        with pytest.raises(RegionImportInvalid):
            region_import_apply(actor=None, source="file", file_bytes=data, filename=filename)
    assert _snapshot(tenant_b, in_tenant) == before


def test_prefill_from_reference_creates_every_district_and_village(
    tenant_b, in_tenant, user_factory
):
    actor = user_factory()
    with in_tenant(tenant_b):
        preview = region_import_preview(source="reference")
        assert preview.layout == "reference"
        assert preview.summary()["added"] == 20 + 208
        record = region_import_apply(actor=actor, source="reference")
        assert District.objects.filter(is_active=True).count() == 20
        assert Village.objects.filter(is_active=True).count() == 208
    assert record.actor_id == actor.pk
    assert record.source == RegionImport.Source.REFERENCE
    assert record.counts["added"] == 228
    assert len(record.diff["added"]) == 228


def test_reapplying_the_same_file_changes_nothing(tenant_b, in_tenant, sragen_from_reference):
    with in_tenant(tenant_b):
        first = region_import_apply(
            actor=None, source="file", file_bytes=KOREKSI, filename="sragen_koreksi.csv"
        )
    after_first = _snapshot(tenant_b, in_tenant)
    with in_tenant(tenant_b):
        stamps = dict(Village.objects.values_list("code", "updated_at"))
        second = region_import_apply(
            actor=None, source="file", file_bytes=KOREKSI, filename="sragen_koreksi.csv"
        )
        assert dict(Village.objects.values_list("code", "updated_at")) == stamps
    after_second = _snapshot(tenant_b, in_tenant)
    assert first.counts["renamed"] == 1
    assert second.counts["added"] == second.counts["renamed"] == second.counts["inactivated"] == 0
    assert second.counts["unchanged"] == 228
    after_first.pop("imports")
    after_second.pop("imports")
    assert after_second == after_first


def test_a_renamed_desa_is_exactly_one_rename(tenant_b, in_tenant, sragen_from_reference):
    with in_tenant(tenant_b):
        preview = region_import_preview(
            source="file", file_bytes=KOREKSI, filename="sragen_koreksi.csv"
        )
        assert preview.layout == "wide"
        assert "Lebar" in preview.layout_description
        assert [(c.code, c.old_name, c.name) for c in preview.diff.changes()] == [
            ("33.14.01.2004", "Jetiskarangpung", "Jetis Karangpung")
        ]
        assert [w.rule for w in preview.warnings] == ["name_differs"]
        record = region_import_apply(
            actor=None, source="file", file_bytes=KOREKSI, filename="sragen_koreksi.csv"
        )
        assert Village.objects.get(code="33.14.01.2004").name == "Jetis Karangpung"
    assert record.diff["renamed"] == [
        {"level": "village", "code": "33.14.01.2004", "name": "Jetis Karangpung",
         "old_name": "Jetiskarangpung"}
    ]
    assert record.layout == "wide"
    assert len(record.file_sha256) == 64


def test_missing_regions_are_inactivated_never_deleted_and_come_back(
    tenant_b, in_tenant, sragen_from_reference
):
    # given a file without the last kecamatan and its desa
    lines = KOREKSI.decode().splitlines()
    last_district = lines[-1].split(",")[0]
    shorter = "\n".join(line for line in lines if not line.startswith(last_district)).encode()
    with in_tenant(tenant_b):
        gone = Village.objects.filter(district__code=last_district).count()
        total = Village.objects.count()
        # when applied
        record = region_import_apply(actor=None, source="file", file_bytes=shorter, filename="a.csv")
        # then the rows still exist, inactive
        assert Village.objects.count() == total
        assert District.objects.get(code=last_district).is_active is False
        assert Village.objects.filter(district__code=last_district, is_active=True).count() == 0
        assert record.counts["inactivated"] == gone + 1
        # and the full file reactivates them
        again = region_import_apply(
            actor=None, source="file", file_bytes=KOREKSI, filename="sragen_koreksi.csv"
        )
        assert District.objects.get(code=last_district).is_active is True
        assert Village.objects.filter(district__code=last_district, is_active=False).count() == 0
    assert again.counts["reactivated"] == gone + 1


def test_a_desa_moved_to_another_kecamatan_keeps_its_row(tenant_b, in_tenant):
    rows = [
        W,
        ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
        ["33.14.02", "Plupuh", "33.14.02.2001", "Gedongan"],
    ]
    moved = [
        W,
        ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
        ["33.14.02", "Plupuh", "33.14.02.2099", "Gedongan"],
    ]
    with in_tenant(tenant_b):
        region_import_apply(actor=None, source="file", file_bytes=make_csv(rows), filename="a.csv")
        row_id = Village.objects.get(code="33.14.02.2001").pk
        # same name, new code in the same kecamatan: not a move (renumbered)
        record = region_import_apply(
            actor=None, source="file", file_bytes=make_csv(moved), filename="b.csv"
        )
        assert record.counts["added"] == 1
        assert record.counts["inactivated"] == 1
        assert Village.objects.get(pk=row_id).is_active is False

        across = [
            W,
            ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
            ["33.14.01", "Kalijambe", "33.14.01.2077", "Gedongan"],
            ["33.14.02", "Plupuh", "33.14.02.2002", "Lain"],
        ]
        region_import_apply(actor=None, source="file", file_bytes=make_csv(moved), filename="b.csv")
        kept = Village.objects.get(code="33.14.02.2099").pk
        record = region_import_apply(
            actor=None, source="file", file_bytes=make_csv(across), filename="c.csv"
        )
        assert record.counts["moved"] == 1
        row = Village.objects.get(pk=kept)
        assert (row.code, row.district.code, row.is_active) == ("33.14.01.2077", "33.14.01", True)


def test_xlsx_sheet_is_read(tenant_b, in_tenant):
    data = make_xlsx({"Sampul": [["Judul"]], "Data": [W, OK]})
    with in_tenant(tenant_b):
        preview = region_import_preview(
            source="file", file_bytes=data, filename="w.xlsx", sheet="Data"
        )
    assert preview.ok
    assert preview.summary()["added"] == 2


def test_import_into_b_never_touches_a(tenant_a, tenant_b, in_tenant):
    # given Bandung filled from the national list
    with in_tenant(tenant_a):
        region_import_apply(actor=None, source="reference")
    before_a = _snapshot(tenant_a, in_tenant)
    # when Sragen imports (reference, then a correction)
    with in_tenant(tenant_b):
        region_import_apply(actor=None, source="reference")
        region_import_apply(actor=None, source="file", file_bytes=KOREKSI, filename="k.csv")
    # then Bandung is exactly as before, and has no Sragen code
    assert _snapshot(tenant_a, in_tenant) == before_a
    with in_tenant(tenant_a):
        assert not Village.objects.filter(code__startswith="33.14").exists()


def test_a_file_of_another_regency_is_refused_in_a(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        preview = region_import_preview(source="file", file_bytes=KOREKSI, filename="k.csv")
        assert {issue.rule for issue in preview.errors} == {"outside_regency"}
        assert District.objects.count() == 0
