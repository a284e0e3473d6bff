from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.errors import DraftExists, PublishInvalid, VersionImmutable, VersionInvalid
from catalog.models import Service, ServiceVersion
from catalog.selectors import service_latest_published, service_version_newer, service_versions
from catalog.services import (
    service_version_create_draft,
    service_version_publish,
    service_version_retire,
    service_version_update_draft,
)


@pytest.fixture
def ministry(user_factory):
    return user_factory(is_staff=True)


@pytest.fixture
def ktp(catalog_seed):
    return Service.objects.get(code="KTP-BARU")


def test_editing_a_published_version_through_the_model_is_refused(ktp):
    # given
    version = ktp.versions.get(number=2)
    # when
    version.sla_value = 5
    # then
    with pytest.raises(ValidationError) as info:
        version.full_clean()
    assert "sudah diterbitkan dan tidak dapat diubah" in info.value.messages[0]
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    assert version.sla_value == 1


def test_json_content_of_a_published_version_is_frozen_too(ktp):
    version = ktp.versions.get(number=2)
    version.requirements.append({"code": "baru", "label": "Syarat baru"})
    with pytest.raises(ValidationError, match="requirements"):
        version.save()


def test_published_version_cannot_go_back_to_draft_or_be_deleted(ktp):
    version = ktp.versions.get(number=2)
    version.status = ServiceVersion.Status.DRAFT
    with pytest.raises(ValidationError, match="dikembalikan menjadi draf"):
        version.save()
    version.refresh_from_db()
    with pytest.raises(ValidationError, match="tidak dapat dihapus"):
        version.delete()


def test_service_layer_refuses_to_update_a_published_version(ktp, ministry):
    version = ktp.versions.get(number=2)
    with pytest.raises(VersionImmutable) as info:
        service_version_update_draft(version=version, actor=ministry, sla_value=5)
    assert info.value.status == 409
    assert "Buat draf versi baru" in info.value.message
    version.refresh_from_db()
    assert version.sla_value == 1


def test_draft_then_publish_bumps_the_number_and_keeps_the_old_version(ktp, ministry):
    # given
    old = ktp.versions.get(number=2)
    # when
    draft = service_version_create_draft(service=ktp, actor=ministry)
    assert (draft.number, draft.status) == (3, "draft")
    assert draft.requirements == old.requirements  # copied
    service_version_update_draft(
        version=draft, actor=ministry, sla_value=2, name="Penerbitan KTP-el Baru v2"
    )
    published = service_version_publish(version=draft, actor=ministry)
    # then
    assert (published.number, published.status) == (3, "published")
    assert published.published_by == ministry
    assert published.published_at is not None
    old.refresh_from_db()
    assert (old.status, old.sla_value, old.name) == ("published", 1, "Penerbitan KTP-el Baru")
    latest = service_latest_published(service_code="ktp-baru")
    assert (latest.number, latest.sla_value) == (3, 2)
    assert [v.number for v in service_versions(service_code="KTP-BARU")] == [3, 2]
    assert service_version_newer(version=old) == published
    assert service_version_newer(version=published) is None
    ktp.refresh_from_db()
    assert ktp.name == "Penerbitan KTP-el Baru v2"


def test_only_one_draft_at_a_time(ktp, ministry):
    service_version_create_draft(service=ktp, actor=ministry)
    with pytest.raises(DraftExists, match="sudah memiliki draf versi 3"):
        service_version_create_draft(service=ktp, actor=ministry)


def test_drafts_are_not_public(ktp, ministry):
    service_version_create_draft(service=ktp, actor=ministry)
    assert service_latest_published(service_code="KTP-BARU").number == 2
    assert [v.number for v in service_versions(service_code="KTP-BARU")] == [2]
    assert [v.number for v in service_versions(service_code="KTP-BARU", include_drafts=True)] == [
        3, 2,
    ]


def test_update_draft_refuses_unknown_and_invalid_fields(ktp, ministry):
    draft = service_version_create_draft(service=ktp, actor=ministry)
    with pytest.raises(VersionInvalid, match="tidak dapat diubah: number"):
        service_version_update_draft(version=draft, actor=ministry, number=9)
    with pytest.raises(VersionInvalid) as info:
        service_version_update_draft(version=draft, actor=ministry, sla_unit="weeks")
    assert "sla_unit" in info.value.extra["fields"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"fee_forbidden": False}, "wajib ditandai 'biaya dilarang'"),
        ({"form_fields": [{"name": "x", "label": "X", "type": "slider", "required": True}]},
         "tidak dikenal"),
        ({"procedure": []}, "Prosedur wajib"),
        ({"prefill": {"tidak_ada": "nik"}}, "Prefill: isian tidak_ada"),
    ],
)
def test_publish_validates_schema_and_references(ktp, ministry, change, expected):
    # given
    draft = service_version_create_draft(service=ktp, actor=ministry)
    service_version_update_draft(version=draft, actor=ministry, **change)
    # when
    with pytest.raises(PublishInvalid) as info:
        service_version_publish(version=draft, actor=ministry)
    # then
    assert any(expected in e for e in info.value.extra["errors"]), info.value.extra
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_publish_checks_requirement_references(ktp, ministry):
    draft = service_version_create_draft(service=ktp, actor=ministry)
    requirements = [*draft.requirements, {
        "code": "akta", "label": "Akta kelahiran", "kind": "document",
        "document_type": "AKTA_KELAHIRAN", "required": True, "legal_basis": "Tidak ada",
    }]
    service_version_update_draft(version=draft, actor=ministry, requirements=requirements)
    with pytest.raises(PublishInvalid) as info:
        service_version_publish(version=draft, actor=ministry)
    errors = info.value.extra["errors"]
    assert "Persyaratan dokumen akta tidak memiliki isian unggah berkas." in errors
    assert any("dasar hukum \"Tidak ada\"" in e for e in errors)


def test_forbidden_fee_must_be_zero(ktp, ministry):
    draft = service_version_create_draft(service=ktp, actor=ministry)
    with pytest.raises(VersionInvalid) as info:
        service_version_update_draft(version=draft, actor=ministry, fee_amount=10_000)
    assert info.value.extra["fields"]["fee_amount"] == [
        "Biaya layanan ini dilarang; nilainya harus Rp0."
    ]


def test_publishing_twice_is_refused(ktp, ministry):
    draft = service_version_create_draft(service=ktp, actor=ministry)
    service_version_publish(version=draft, actor=ministry)
    with pytest.raises(VersionImmutable):
        service_version_publish(version=draft, actor=ministry)


def test_retire_keeps_content(ktp, ministry):
    version = ktp.versions.get(number=2)
    service_version_retire(version=version, actor=ministry)
    version.refresh_from_db()
    assert version.status == "retired"
    assert version.sla_value == 1
    with pytest.raises(VersionImmutable):
        service_version_update_draft(version=version, actor=ministry, sla_value=3)
