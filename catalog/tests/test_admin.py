from __future__ import annotations

import pytest

from catalog.models import Service, ServiceVersion


@pytest.fixture
def admin_client(platform_client, user_factory):
    user = user_factory(is_staff=True, is_superuser=True)
    platform_client.force_login(user)
    return platform_client


def test_service_change_page_lists_versions(catalog_seed, admin_client):
    service = Service.objects.get(code="KK-BARU")
    response = admin_client.get(f"/admin/catalog/service/{service.pk}/change/")
    assert response.status_code == 200
    assert "v2" in response.content.decode()  # v2: the workflow


def test_published_version_is_read_only_in_admin(catalog_seed, admin_client):
    version = ServiceVersion.objects.get(service__code="KK-BARU")
    url = f"/admin/catalog/serviceversion/{version.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(url, {"name": "Diubah", "sla_value": 9})
    assert response.status_code == 403
    version.refresh_from_db()
    assert (version.name, version.sla_value) == ("Penerbitan Kartu Keluarga Baru", 1)


def test_admin_actions_create_draft_and_publish(catalog_seed, admin_client):
    service = Service.objects.get(code="KK-BARU")
    # when: "buat draf versi baru"
    admin_client.post("/admin/catalog/service/", {
        "action": "create_draft", "_selected_action": [service.pk],
    })
    draft = service.versions.get(status="draft")
    assert draft.number == 3
    # then the draft is editable
    page = admin_client.get(f"/admin/catalog/serviceversion/{draft.pk}/change/")
    assert 'name="_save"' in page.content.decode()
    # when: "terbitkan"
    admin_client.post("/admin/catalog/serviceversion/", {
        "action": "publish", "_selected_action": [draft.pk],
    })
    draft.refresh_from_db()
    assert draft.status == "published"
    assert service.versions.get(number=2).status == "published"


def test_admin_reports_publish_errors(catalog_seed, admin_client):
    service = Service.objects.get(code="KK-BARU")
    admin_client.post("/admin/catalog/service/", {
        "action": "create_draft", "_selected_action": [service.pk],
    })
    draft = service.versions.get(status="draft")
    ServiceVersion.objects.filter(pk=draft.pk).update(procedure=[])
    response = admin_client.post("/admin/catalog/service/", {
        "action": "publish_draft", "_selected_action": [service.pk],
    }, follow=True)
    assert "Prosedur wajib" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_admin_edits_a_draft_through_the_service(catalog_seed, admin_client):
    # given a draft
    service = Service.objects.get(code="KK-BARU")
    admin_client.post("/admin/catalog/service/", {
        "action": "create_draft", "_selected_action": [service.pk],
    })
    draft = service.versions.get(status="draft")
    url = f"/admin/catalog/serviceversion/{draft.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form[name].value() for name in form.fields
        if form[name].value() is not None
    }
    data = {k: v for k, v in data.items() if v is not False}
    # when
    data["sla_value"] = 2
    response = admin_client.post(url, data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.sla_value == 2
    assert service.versions.get(number=2).sla_value == 1
