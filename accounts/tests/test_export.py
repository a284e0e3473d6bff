"""A citizen downloads their own data (accounts.export) from the platform host."""

from __future__ import annotations

import io
import json
import zipfile

from django_tenants.utils import schema_context

from accounts.export import schemas_with_rows


def _download(client) -> tuple[dict, zipfile.ZipFile, bytes]:
    response = client.get("/akun/data-saya/unduh/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(raw))
    return json.loads(archive.read("data.json")), archive, raw


def _tracking_code(tenant, application_id: int) -> str:
    from applications.models import Application

    with schema_context(tenant.schema_name):
        return Application.objects.get(pk=application_id).tracking_code


def test_export_contains_own_data_across_tenants_and_nothing_of_others(
    person, bystander, tenant_a, tenant_b, platform_client, staff_user, in_tenant
):
    from applications.attachments import attachment_open_log
    from applications.models import Application, AttachedDocument

    # given an officer of tenant A opened one of the person's documents
    officer = staff_user(tenant_a, full_name="Petugas Dukcapil")
    with in_tenant(tenant_a):
        attachment_open_log(
            application=Application.objects.get(pk=person.applications["a"][0]),
            attachment=AttachedDocument.objects.get(source_document_id=person.documents["a"][0]),
            actor=officer,
        )
    platform_client.force_login(person.user)

    # when the person downloads their data
    data, archive, raw = _download(platform_client)

    # then: profile and account
    assert data["account"]["email"] == person.user.email
    assert data["profile"]["nik"] == person.nik
    # applications of both tenants, with their answers and timeline
    by_tenant = {section["tenant"]: section for section in data["tenants"]}
    assert set(by_tenant) == {tenant_a.name, tenant_b.name}
    codes = {a["tracking_code"] for s in data["tenants"] for a in s["applications"]}
    assert codes >= {_tracking_code(tenant_a, person.applications["a"][0]),
                     _tracking_code(tenant_b, person.applications["b"][0])}
    section_a = by_tenant[tenant_a.name]
    assert any(a["status"] == "draft" for a in section_a["applications"])
    assert section_a["staff_roles"][0]["role"] == "officer"
    # the vault (across regencies) and each regency's copies, as metadata and as files
    vault = data["vault"]
    assert sorted(d["id"] for d in vault["documents"]) == sorted(
        person.documents["a"] + person.documents["b"])
    copies = [d for s in data["tenants"] for d in s["documents"]]
    assert sorted(d["vault_document_id"] for d in section_a["documents"]) == sorted(
        person.documents["a"])
    assert len(copies) == 4
    documents = vault["documents"] + copies
    for document in documents:
        assert archive.read(document["file"])[:4] in (b"%PDF", b"\x89PNG")
    # what went to which regency, and the access log (the regency's and the citizen's)
    assert {(s["regency"], s["document_id"]) for s in vault["shares"]} == {
        (tenant.name, doc) for tenant, key in ((tenant_a, "a"), (tenant_b, "b"))
        for doc in person.documents[key]}
    (access,) = section_a["document_access_log"]
    assert access["by"] == "Petugas Dukcapil"
    (logged,) = vault["access_log"]
    assert (logged["by"], logged["regency"], logged["document_id"]) == (
        "Petugas Dukcapil", tenant_a.name, person.documents["a"][0])

    # and nothing of the other citizen, anywhere in the archive
    everything = raw + b"".join(archive.read(name) for name in archive.namelist())
    for secret in (bystander.nik, bystander.user.email, bystander.user.full_name,
                   _tracking_code(tenant_a, bystander.applications["a"][0]),
                   _tracking_code(tenant_b, bystander.applications["b"][0])):
        assert secret.encode() not in everything
    assert len(archive.namelist()) == 1 + len(documents)


def test_presence_check_finds_only_the_schemas_with_the_users_rows(
    person, user_factory, tenant_a, tenant_b
):
    schemas = [tenant_a.schema_name, tenant_b.schema_name]
    assert schemas_with_rows(user_id=person.user.pk, schema_names=schemas) == set(schemas)
    nobody = user_factory()
    assert schemas_with_rows(user_id=nobody.pk, schema_names=schemas) == set()


def test_export_of_a_user_without_tenant_data(user_factory, platform_client):
    user = user_factory(full_name="Baru Daftar")
    platform_client.force_login(user)
    data, archive, _raw = _download(platform_client)
    assert data["account"]["full_name"] == "Baru Daftar"
    assert data["profile"] is None and data["tenants"] == []
    assert archive.namelist() == ["data.json"]


def test_export_needs_login_and_the_platform_host(person, platform_client, client_a):
    anonymous = platform_client.get("/akun/data-saya/unduh/")
    assert anonymous.status_code == 302 and "/masuk/" in anonymous["Location"]
    client_a.force_login(person.user)
    assert client_a.get("/akun/data-saya/unduh/").status_code == 404


def test_account_page_offers_download_and_erasure(person, platform_client):
    platform_client.force_login(person.user)
    page = platform_client.get("/akun/profil/").content.decode()
    assert "/akun/data-saya/unduh/" in page
    assert "/akun/hapus/" in page
