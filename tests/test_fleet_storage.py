"""core.storage.TenantS3Storage: the key prefix follows the schema of the current connection
on every call (never fixed at init: django-tenants #242)."""

from __future__ import annotations

import io

import pytest
from django_tenants.utils import schema_context

from core.storage import TenantS3Storage, tenant_key_prefix


def test_prefix_computation():
    assert tenant_key_prefix("media", "kota_bandung") == "media/kota_bandung"
    assert tenant_key_prefix("/media/", "kab_sragen") == "media/kab_sragen"
    assert tenant_key_prefix("", "kab_sragen") == "kab_sragen"
    with pytest.raises(ValueError):
        tenant_key_prefix("media", "../etc")


class _FakeObject:
    def __init__(self, bucket: _FakeBucket, key: str) -> None:
        self.bucket, self.key = bucket, key

    def upload_fileobj(self, content, ExtraArgs=None, Config=None):
        self.bucket.saved[self.key] = content.read()


class _FakeBucket:
    name = "mpp-media"

    def __init__(self) -> None:
        self.saved: dict[str, bytes] = {}

    def Object(self, key: str) -> _FakeObject:
        return _FakeObject(self, key)


@pytest.fixture
def storage():
    store = TenantS3Storage(
        bucket_name="mpp-media", location="media", endpoint_url="http://127.0.0.1:9",
        access_key="test", secret_key="test", region_name="us-east-1", file_overwrite=True,
    )
    store._bucket = _FakeBucket()
    return store


@pytest.mark.django_db
def test_one_storage_instance_writes_each_tenant_under_its_own_prefix(storage):
    # given one storage instance (as Django keeps it: a process-wide singleton)
    # when two tenants save a file of the same name, one after the other
    with schema_context("kota_bandung"):
        storage.save("lampiran/ktp.pdf", io.BytesIO(b"A"))
    with schema_context("kab_sragen"):
        storage.save("lampiran/ktp.pdf", io.BytesIO(b"B"))
        sragen_url = storage.url("lampiran/ktp.pdf")
    with schema_context("kota_bandung"):
        bandung_url = storage.url("lampiran/ktp.pdf")
    # then each landed under its own schema prefix
    assert storage._bucket.saved == {
        "media/kota_bandung/lampiran/ktp.pdf": b"A",
        "media/kab_sragen/lampiran/ktp.pdf": b"B",
    }
    # and URLs are presigned, short-lived, and per tenant
    assert "/media/kab_sragen/lampiran/ktp.pdf" in sragen_url
    assert "/media/kota_bandung/lampiran/ktp.pdf" in bandung_url
    assert "X-Amz-Signature=" in bandung_url or "Signature=" in bandung_url


@pytest.mark.django_db
def test_names_cannot_escape_the_tenant_prefix(storage):
    from django.core.exceptions import SuspiciousOperation

    with schema_context("kota_bandung"), pytest.raises(SuspiciousOperation):
        storage._normalize_name("../kab_sragen/lampiran/ktp.pdf")
