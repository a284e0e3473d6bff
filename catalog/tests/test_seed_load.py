from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from catalog.formschema import build_form_class
from catalog.models import Category, Service, ServiceVersion
from catalog.services import SEED_DIR, catalog_load_seed

ADMINDUK = {
    "KTP-BARU", "KTP-UBAH", "KTP-HILANG", "KK-BARU", "KK-UBAH", "KK-HILANG", "KIA",
    "AKTA-LAHIR", "AKTA-MATI", "SKPWNI", "PINDAH-DTG", "AKTA-KAWIN", "AKTA-CERAI",
}
HEALTH = {"SIP-DOKTER", "SIP-SPESIAL", "SIP-DRG", "SIPP", "SIPB", "SIPA", "SIPTTK"}


def _counts():
    return (Category.objects.count(), Service.objects.count(), ServiceVersion.objects.count())


def test_seed_loads_every_service_as_published_version(catalog_seed):
    # then
    assert catalog_seed["invalid"] == []
    assert catalog_seed["conflicts"] == []
    assert set(Category.objects.values_list("code", flat=True)) == {"ADM", "IZN", "NON"}
    assert set(Service.objects.values_list("code", flat=True)) >= ADMINDUK | HEALTH
    for code in ADMINDUK | HEALTH:
        version = ServiceVersion.objects.get(service__code=code)
        assert version.status == ServiceVersion.Status.PUBLISHED
        assert version.number == (3 if code in HEALTH else 2)  # SIP: SLA basis; all: workflow
        assert version.published_at is not None


def test_seed_is_idempotent(catalog_seed):
    # given
    before = _counts()
    # when: run twice more
    first = catalog_load_seed()
    second = catalog_load_seed()
    # then: no duplicates, nothing published, nothing reported
    assert _counts() == before
    for summary in (first, second):
        assert summary["services_created"] == 0
        assert summary["categories_created"] == 0
        assert summary["versions_published"] == []
        assert summary["conflicts"] == []
        assert summary["unchanged"] == len(ADMINDUK | HEALTH)


def test_every_adminduk_service_is_free_and_fee_forbidden(catalog_seed):
    versions = ServiceVersion.objects.filter(service__category__code="ADM")
    assert {v.service.code for v in versions} == ADMINDUK
    for version in versions:
        assert version.fee_amount == 0
        assert version.fee_forbidden is True
        assert "79A" in version.fee_basis
    assert Category.objects.get(code="ADM").fee_forbidden is True


def test_health_permits_carry_the_post_uu_17_2023_rules(catalog_seed):
    for code in HEALTH:
        version = ServiceVersion.objects.get(service__code=code)
        document_types = {r.get("document_type") for r in version.requirements}
        assert {"STR", "SURAT_KETERANGAN_TEMPAT_PRAKTIK"} <= document_types
        assert version.output_document["validity_years"] == 5
        assert not any("rekomendasi" in r["label"].lower() for r in version.requirements)
    for code in ("SIP-DOKTER", "SIP-SPESIAL", "SIP-DRG"):
        assert ServiceVersion.objects.get(service__code=code).rules["max_practice_places"] == 3


def test_every_seed_form_schema_builds_a_form(catalog_seed):
    for version in ServiceVersion.objects.all():
        form_class = build_form_class(version.form_fields, districts=[("1", "A")])
        assert set(form_class.base_fields) == {f["name"] for f in version.form_fields}


def _seed_copy(tmp_path: Path, mutate) -> Path:
    """A seed folder with categories and only KTP-BARU, changed by `mutate(entry)`."""
    shutil.copy(SEED_DIR / "categories.yaml", tmp_path / "categories.yaml")
    data = yaml.safe_load((SEED_DIR / "adminduk.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in data["services"] if e["code"] == "KTP-BARU")
    mutate(entry)
    data["services"] = [entry]
    (tmp_path / "adminduk.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return tmp_path


def test_changed_seed_without_version_bump_is_reported_not_applied(catalog_seed, tmp_path):
    # given a seed whose KTP-BARU SLA changed but whose version stayed 1
    folder = _seed_copy(tmp_path, lambda e: e["sla"].update(value=3))
    # when
    summary = catalog_load_seed(path=folder)
    # then
    version = ServiceVersion.objects.get(service__code="KTP-BARU")
    assert version.sla_value == 1
    assert summary["versions_published"] == []
    [conflict] = summary["conflicts"]
    assert conflict["code"] == "KTP-BARU"
    assert conflict["reason"] == "content_differs"
    assert conflict["fields"] == ["sla_value"]


def test_bumped_seed_version_publishes_a_new_version_and_keeps_the_old(catalog_seed, tmp_path):
    # given
    def bump(entry):
        entry["version"] = 3
        entry["sla"]["value"] = 2
        entry["name"] = "Penerbitan KTP-el Baru (revisi)"

    folder = _seed_copy(tmp_path, bump)
    # when
    summary = catalog_load_seed(path=folder)
    # then
    assert summary["versions_published"] == [{"code": "KTP-BARU", "number": 3}]
    old, new = ServiceVersion.objects.filter(service__code="KTP-BARU").order_by("number")
    assert (old.number, old.sla_value, old.status) == (2, 1, "published")
    assert (new.number, new.sla_value, new.status) == (3, 2, "published")
    assert Service.objects.get(code="KTP-BARU").name == "Penerbitan KTP-el Baru (revisi)"
    # and running it again is a no-op
    assert catalog_load_seed(path=folder)["unchanged"] == 1


def test_invalid_seed_entry_is_reported_and_skipped(catalog_seed, tmp_path):
    def break_it(entry):
        entry["code"] = "KTP-RUSAK"
        entry["requirements"][0]["legal_basis"] = "Peraturan yang tidak ada"

    summary = catalog_load_seed(path=_seed_copy(tmp_path, break_it))
    [invalid] = summary["invalid"]
    assert invalid["code"] == "KTP-RUSAK"
    assert "tidak ada di daftar dasar hukum" in invalid["errors"][0]
    assert not ServiceVersion.objects.filter(service__code="KTP-RUSAK").exists()


def test_load_catalog_command_prints_json(catalog_seed):
    out = io.StringIO()
    call_command("load_catalog", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["services_created"] == 0
    assert summary["unchanged"] == len(ADMINDUK | HEALTH)


def test_load_catalog_command_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match=r"categories\.yaml"):
        call_command("load_catalog", path=str(tmp_path))
