"""`manage.py import_regions`: exit codes, layout line and the one-line JSON summary."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regions.models import District, RegionImport, Village
from regions.tests.helpers import FIXTURES, make_csv


def _run(*args: str) -> tuple[str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("import_regions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _summary(out: str) -> dict[str, int]:
    return json.loads(out.strip().splitlines()[-1])


def _counts(tenant, in_tenant) -> tuple[int, int, int]:
    with in_tenant(tenant):
        return District.objects.count(), Village.objects.count(), RegionImport.objects.count()


def test_from_reference_then_file_prints_layout_and_summary(tenant_a, tenant_b, in_tenant):
    before_a = _counts(tenant_a, in_tenant)
    out, _err = _run("--tenant", "kab_sragen", "--from-reference")
    assert _summary(out)["added"] == 228
    assert "reference" in out.splitlines()[0]
    out, err = _run("--tenant", "kab_sragen", "--file", str(FIXTURES / "sragen_koreksi.csv"))
    assert out.splitlines()[0].startswith("Tata letak: wide")
    summary = _summary(out)
    assert {k: summary[k] for k in ("added", "renamed", "inactivated", "unchanged", "errors")} == {
        "added": 0, "renamed": 1, "inactivated": 0, "unchanged": 227, "errors": 0,
    }
    assert "Jetiskarangpung" in err  # the name_differs warning
    assert _counts(tenant_a, in_tenant) == before_a  # Bandung untouched


def test_dry_run_writes_nothing(tenant_b, in_tenant):
    before = _counts(tenant_b, in_tenant)
    out, _err = _run("--tenant", "kab_sragen", "--from-reference", "--dry-run")
    assert _summary(out)["added"] == 228
    assert _counts(tenant_b, in_tenant) == before


def test_errors_exit_1_with_row_numbers_and_write_nothing(tenant_b, in_tenant, tmp_path):
    bad = tmp_path / "salah.csv"
    bad.write_bytes(make_csv([
        ["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"],
        ["33.14.01", "Kalijambe", "33.14.01.2001", "Keden"],
        ["33.14.01", "Kalijambe", "33.14.01.20X2", "Trobayan"],
    ]))
    before = _counts(tenant_b, in_tenant)
    import io

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_regions", "--tenant", "kab_sragen", "--file", str(bad),
                     stdout=out, stderr=err)
    assert failed.value.returncode == 1
    assert _summary(out.getvalue())["errors"] == 1
    assert "Baris 3" in err.getvalue()
    assert "20X2" in err.getvalue()
    assert _counts(tenant_b, in_tenant) == before


def test_unknown_tenant_exits_1(db):
    with pytest.raises(CommandError) as failed:
        _run("--tenant", "tidak_ada", "--from-reference")
    assert failed.value.returncode == 1
