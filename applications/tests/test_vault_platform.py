"""The citizen's vault on the platform host (docs/adr/0013): the same documents as on every
regency's host, uploads there, the owner only, sign-in required."""

from __future__ import annotations

from applications.tests.conftest import PDF_BYTES, upload
from vault.models import Document


def test_the_vault_uploaded_in_a_regency_is_managed_on_the_platform(
    platform_client, citizen, vault_docs
):
    platform_client.force_login(citizen)
    page = platform_client.get("/brankas/")
    assert page.status_code == 200
    html = page.content.decode()
    for pk in vault_docs.values():
        assert f'href="/brankas/{pk}/"' in html
    assert 'href="/brankas/"' in html  # the platform's navigation links to it
    pk = vault_docs["kk_lama"]
    assert platform_client.get(f"/brankas/{pk}/").status_code == 200
    file = platform_client.get(f"/brankas/{pk}/berkas/")
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")
    # an upload on the platform lands in the same vault
    done = platform_client.post("/brankas/", {
        "file": upload(PDF_BYTES, "akta.pdf"), "document_type": "AKTA", "label": "Akta lahir",
    })
    assert done.status_code == 302 and done["Location"] == "/brankas/"
    assert Document.objects.filter(owner_id=citizen.pk, label="Akta lahir").exists()


def test_another_citizen_cannot_see_or_delete_a_document_on_the_platform(
    platform_client, citizen, vault_docs, user_factory
):
    pk = vault_docs["kk_lama"]
    before = sorted(Document.objects.filter(owner_id=citizen.pk).values_list(
        "pk", "deleted_at"))
    platform_client.force_login(user_factory())
    assert f"/brankas/{pk}/" not in platform_client.get("/brankas/").content.decode()
    assert platform_client.get(f"/brankas/{pk}/").status_code == 404
    assert platform_client.get(f"/brankas/{pk}/berkas/").status_code == 404
    assert platform_client.post(f"/brankas/{pk}/", {"action": "delete"}).status_code == 404
    assert sorted(Document.objects.filter(owner_id=citizen.pk).values_list(
        "pk", "deleted_at")) == before


def test_the_platform_vault_needs_a_sign_in(platform_client, vault_docs):
    response = platform_client.get("/brankas/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]
    pk = vault_docs["kk_lama"]
    assert platform_client.get(f"/brankas/{pk}/berkas/").status_code == 302
