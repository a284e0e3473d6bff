"""Per-tenant backup and restore (tenants.backup): back up Kota Bandung, restore it into a
fresh tenant with another schema name, and compare the row counts of every table."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from core.errors import Conflict
from tenants.backup import BackupError, read_manifest, tenant_backup, tenant_restore
from tenants.models import Domain, Tenant


def _counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND relkind = 'r' AND relname <> 'django_migrations'",
            [schema],
        )
        tables = sorted(name for (name,) in cursor.fetchall())
        out = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            out[table] = cursor.fetchone()[0]
    return out


@pytest.fixture
def media_cleanup():
    created: list[Path] = []
    yield created
    for path in created:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def test_backup_restores_into_a_fresh_tenant_with_equal_row_counts(
    tenant_a, in_tenant, staff_user, tmp_path, media_cleanup
):
    from agencies.models import Agency
    from regions.models import District, Village

    # given Kota Bandung with agencies, a staff role, regions and one media file
    name = f"backup-test/{uuid.uuid4().hex}.txt"
    payload = b"surat izin 3273010101900001 (test)"
    staff_user(tenant_a)
    with in_tenant(tenant_a):
        Agency.objects.create(code="disdukcapil-t", name="Dinas Kependudukan (test)")
        Agency.objects.create(code="dpmptsp-t", name="DPMPTSP (test)", short_name="DPMPTSP")
        district = District.objects.create(code="32.73.99", name="Kecamatan Uji")
        Village.objects.create(
            code="32.73.99.1001", name="Kelurahan Uji", kind="kelurahan", district=district
        )
        saved = default_storage.save(name, ContentFile(payload))
        media_cleanup.append(Path(default_storage.path(saved)))
    source = _counts("kota_bandung")
    assert source["agencies_agency"] >= 2
    assert source["regions_district"] >= 1

    # when it is backed up (with media) and restored under another schema name
    archive = tmp_path / "kota_bandung.tar.gz"
    backup = tenant_backup(tenant=tenant_a, out_path=archive, include_media=True)
    result = tenant_restore(
        archive_path=archive, region_code="32.73", schema_name="kota_bandung_r1"
    )
    media_cleanup.append(Path(settings.MEDIA_ROOT) / "kota_bandung_r1")

    # then every table has the same number of rows, and the manifest says so too
    assert _counts("kota_bandung_r1") == source
    manifest = read_manifest(archive)
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == source
    assert result.rows == source
    assert backup.rows == sum(source.values())
    # the migration fingerprint and the media manifest travel with the data
    assert manifest["migrations"]["fingerprint"] == tenant_a.migrations_fingerprint
    assert manifest["migrations"]["applied"]
    files = {f["name"]: f for f in manifest["media"]["files"]}
    assert files[saved]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert files[saved]["size"] == len(payload)
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"
        assert f"media/{saved}" in tar.getnames()
    # the region still has its tenant: the copy sits beside it, suspended, without region code
    restored = result.tenant
    assert result.side_by_side
    assert restored.region_code is None
    assert restored.state == Tenant.State.SUSPENDED
    assert restored.is_ready
    with in_tenant(restored):
        assert default_storage.open(saved).read() == payload
        assert Agency.objects.filter(code="dpmptsp-t", short_name="DPMPTSP").exists()
        assert Village.objects.get(code="32.73.99.1001").district.code == "32.73.99"
        # sequences continue after the restored ids (no duplicate key on the next insert)
        new = Agency.objects.create(code="baru", name="OPD baru")
        assert new.pk > max(Agency.objects.exclude(pk=new.pk).values_list("pk", flat=True))
    # and the original is untouched
    assert _counts("kota_bandung") == source
    with schema_context("public"):
        assert Domain.objects.filter(tenant=restored, domain__startswith="kota-bandung-r1.").exists()


def test_restore_refuses_an_existing_schema_and_leaves_nothing_behind(tenant_a, tmp_path):
    # given a backup of Kota Bandung
    archive = tmp_path / "a.tar.gz"
    tenant_backup(tenant=tenant_a, out_path=archive)
    # when it is restored over an existing schema, then it is refused
    with pytest.raises(Conflict):
        tenant_restore(archive_path=archive, region_code="32.73", schema_name="kab_sragen")
    with schema_context("public"):
        assert Tenant.objects.filter(schema_name="kab_sragen").count() == 1


def test_restore_of_a_corrupt_archive_drops_the_fresh_tenant(tenant_a, tmp_path):
    # given an archive whose table data was altered after the manifest was written
    archive = tmp_path / "a.tar.gz"
    tenant_backup(tenant=tenant_a, out_path=archive)
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(broken, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if "agencies_agency" in member.name:
                data += b"999999\tx\tX\t\t\tt\t2026-01-01 00:00:00+00\n"
                member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    # when it is restored, then the checksum fails and no tenant or schema is left
    with pytest.raises(BackupError):
        tenant_restore(archive_path=broken, region_code="32.73", schema_name="kota_bandung_bad")
    with schema_context("public"):
        assert not Tenant.objects.filter(schema_name="kota_bandung_bad").exists()
        assert not schema_exists("kota_bandung_bad")


def test_backup_command_writes_an_archive(tenant_a, tmp_path, capsys):
    out = tmp_path / "cmd.tar.gz"
    call_command("backup_tenant", "--schema", "kota_bandung", "--out", str(out))
    printed = capsys.readouterr().out
    assert out.is_file()
    assert '"schema": "kota_bandung"' in printed
    assert read_manifest(out)["source"]["region_code"] == "32.73"


def test_read_manifest_rejects_other_files(tmp_path):
    other = tmp_path / "x.tar.gz"
    other.write_bytes(b"not a tar")
    with pytest.raises(BackupError):
        read_manifest(other)
