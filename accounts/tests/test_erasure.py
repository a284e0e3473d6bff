"""Account erasure (accounts.erasure, docs/adr/0006) against the real tenant schemas."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.erasure import (
    ERASED_EMAIL_DOMAIN,
    account_erasure_request,
    account_erasure_run,
    erasure_progress,
)
from accounts.models import AccountErasureRequest, CitizenProfile, User


def _apps(tenant: Any, ids: list[int]) -> list[Any]:
    from applications.models import Application

    with schema_context(tenant.schema_name):
        return list(Application.objects.filter(pk__in=ids).order_by("pk"))


def _tenant_counts(tenant: Any, user_id: int) -> dict[str, int]:
    from agencies.models import StaffRole
    from applications.models import Application, AttachedDocument, Notification
    from integrations.oidc_models import AccessToken, Grant, IDToken, RefreshToken

    with schema_context(tenant.schema_name):
        return {
            "roles": StaffRole.objects.filter(user_id=user_id).count(),
            "documents": AttachedDocument.objects.filter(owner_id=user_id).count(),
            "applications": Application.objects.filter(applicant_id=user_id).count(),
            "notifications": Notification.objects.filter(recipient_id=user_id).count(),
            "oidc": sum(model.objects.filter(user_id=user_id).count()
                        for model in (AccessToken, RefreshToken, IDToken, Grant)),
        }


def _files_exist(tenant: Any, names: list[str]) -> list[bool]:
    with schema_context(tenant.schema_name):
        return [default_storage.exists(name) for name in names]


def _snapshot(footprint: Any, tenant_a: Any, tenant_b: Any) -> dict[str, Any]:
    return {
        key: [(a.form_data, a.lookup_digits, a.status)
              for a in _apps(tenant, footprint.applications[key])]
        for key, tenant in (("a", tenant_a), ("b", tenant_b))
    } | {
        "counts_a": _tenant_counts(tenant_a, footprint.user.pk),
        "counts_b": _tenant_counts(tenant_b, footprint.user.pk),
    }


# --------------------------------------------------------------------------- structure


def test_no_tenant_table_cascades_or_nulls_from_the_public_user():
    """A delete in the public schema must never reach into tenant tables: those are not on
    its search_path (`relation "agencies_staffrole" does not exist`)."""
    tenant_apps = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS} - set(
        name.rsplit(".", 1)[-1] for name in settings.SHARED_APPS
    )
    offenders = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in tenant_apps:
            continue
        for fk in model._meta.get_fields():
            if (isinstance(fk, models.ForeignKey) and fk.related_model is User
                    and fk.remote_field.on_delete is not models.DO_NOTHING):
                offenders.append(f"{model._meta.label}.{fk.name}")
    assert offenders == []


def test_raw_user_delete_on_the_platform_no_longer_touches_tenant_tables(
    person, tenant_a
):
    # given a user with a staff role and OIDC tokens in tenant A, on the platform schema
    user = User.objects.get(pk=person.user.pk)
    connection.set_schema_to_public()
    # when Django collects what a delete would touch
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([user])
    # then only public rows are involved (no ProgrammingError, no tenant model)
    labels = {model._meta.app_label for model in collector.data}
    assert labels <= {"accounts", "api", "admin", "authtoken", "auth", "onboarding", "catalog",
                      "vault"}


# --------------------------------------------------------------------------- the job


def test_erasure_across_tenants_keeps_applications_pseudonymised(
    person, bystander, operator, tenant_a, tenant_b, platform_client, in_tenant,
    django_capture_on_commit_callbacks,
):
    from rest_framework.authtoken.models import Token

    from api.services import api_token_create
    from feedback.models import Complaint

    # given: the person is logged in, has an API token and a DRF token, and a complaint in B
    platform_client.force_login(person.user)
    token, _secret = api_token_create(name="pribadi", scopes=["catalog:read"],
                                      owner=person.user, actor=operator)
    with schema_context("public"):
        Token.objects.create(user=person.user)
    with in_tenant(tenant_b):
        complaint = Complaint.objects.create(
            tracking_code="ADU-ERASE-1", subject="service", agency=_apps(
                tenant_b, person.applications["b"])[0].agency,
            complainant_id=person.user.pk, name=person.user.full_name, address="Jl. X",
            contact=person.user.phone, title="Lama", shortfall="Antre lama",
            verify_due=timezone.now(), respond_due=timezone.now(), created_at=timezone.now(),
        )
    before_counts = _tenant_counts(tenant_a, person.user.pk)
    assert before_counts["roles"] == 1 and before_counts["oidc"] == 4
    assert all(_files_exist(tenant_a, person.files["a"]))
    bystander_before = _snapshot(bystander, tenant_a, tenant_b)

    # when an operator requests the erasure (the task runs on commit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        erasure = account_erasure_request(user=person.user, actor=operator, reason="test")
    assert len(callbacks) == 1

    # then the request finished and reports its progress per tenant
    erasure.refresh_from_db()
    assert erasure.state == AccountErasureRequest.State.DONE
    assert erasure.requested_by == operator
    progress = erasure_progress(erasure)
    assert progress["tenants_done"] == progress["tenants_total"] >= 2
    assert progress["public_done"] and progress["files_pending"] == 0
    assert erasure.progress[tenant_a.schema_name]["counts"]["staff_roles"] == 1
    assert erasure.progress[tenant_a.schema_name]["counts"]["attached_documents"] == 2
    assert erasure.progress["public"]["counts"]["vault_documents"] == 4
    assert erasure.progress[tenant_b.schema_name]["counts"]["applications_pseudonymised"] == 1

    # roles, tokens, documents (and their files), drafts and notifications are gone
    for tenant, key in ((tenant_a, "a"), (tenant_b, "b")):
        counts = _tenant_counts(tenant, person.user.pk)
        assert counts == {"roles": 0, "documents": 0, "applications": 1, "notifications": 0,
                          "oidc": 0}
        assert not any(_files_exist(tenant, person.files[key]))

    # the vault (public schema) is gone with its files, shares and access log
    from vault.models import Access, Document, Share
    from vault.storage import vault_storage

    assert not Document.objects.filter(owner_id=person.user.pk).exists()
    assert not Share.objects.filter(owner_id=person.user.pk).exists()
    assert not Access.objects.filter(owner_id=person.user.pk).exists()
    assert not any(vault_storage().exists(name) for name in person.vault_files)
    assert all(vault_storage().exists(name) for name in bystander.vault_files)
    assert Document.objects.filter(owner_id=bystander.user.pk).count() == 4

    # applications stay, with the applicant pseudonymised
    pseudonym = erasure.pseudonym
    assert pseudonym.startswith("Terhapus-")
    for tenant, key in ((tenant_a, "a"), (tenant_b, "b")):
        (application,) = _apps(tenant, person.applications[key])
        assert application.status == "submitted"
        assert application.tracking_code
        assert application.form_data["nama_pemohon"] == pseudonym
        assert application.form_data["nik_pemohon"] == ""
        assert application.form_data["no_hp"] == ""
        assert application.form_data["nomor_kk"] == ""
        assert application.form_data["alasan"] == "Perubahan pendidikan terakhir anak."
        assert application.lookup_digits == []
        assert person.nik not in str(application.form_data)
    with in_tenant(tenant_b):
        complaint.refresh_from_db()
        assert (complaint.name, complaint.address, complaint.contact) == (pseudonym, "", "")

    # the public account is a tombstone: no personal data, no way in
    user = User.objects.get(pk=person.user.pk)
    assert user.full_name == pseudonym
    assert user.email == f"{pseudonym.lower()}@{ERASED_EMAIL_DOMAIN}"
    assert user.phone is None
    assert not user.is_active and not user.has_usable_password()
    assert not CitizenProfile.objects.filter(user_id=user.pk).exists()
    assert not Token.objects.filter(user_id=user.pk).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not [s for s in Session.objects.all()
                if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]
    assert platform_client.get("/akun/profil/").status_code == 302  # logged out

    # cross-tenant / cross-person: the bystander is untouched everywhere
    assert _snapshot(bystander, tenant_a, tenant_b) == bystander_before
    assert all(_files_exist(tenant_a, bystander.files["a"]))
    assert all(_files_exist(tenant_b, bystander.files["b"]))
    assert User.objects.get(pk=bystander.user.pk).full_name == "Budi Santoso"
    assert CitizenProfile.objects.filter(user_id=bystander.user.pk).exists()


def test_rerun_is_a_noop(person, operator, tenant_a, tenant_b,
                         django_capture_on_commit_callbacks):
    # given a finished erasure
    with django_capture_on_commit_callbacks(execute=True):
        erasure = account_erasure_request(user=person.user, actor=operator)
    erasure.refresh_from_db()
    before = (erasure.progress, erasure.finished_at, erasure.pseudonym)
    snapshot = _snapshot(person, tenant_a, tenant_b)
    # when the task runs again, and the erasure is requested again
    from accounts.tasks import account_erasure_task

    assert account_erasure_task.apply(args=[erasure.pk]).get() == "done"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = account_erasure_request(user=person.user, actor=operator)
    # then nothing changed and nothing was enqueued
    assert again.pk == erasure.pk and callbacks == []
    erasure.refresh_from_db()
    assert (erasure.progress, erasure.finished_at, erasure.pseudonym) == before
    assert _snapshot(person, tenant_a, tenant_b) == snapshot
    assert AccountErasureRequest.objects.filter(user_id=person.user.pk).count() == 1


def test_interrupted_erasure_resumes_without_redoing_a_schema(
    person, operator, tenant_a, tenant_b, monkeypatch
):
    import accounts.erasure as erasure_module

    real = erasure_module.erase_tenant_rows
    visits: list[str] = []

    def failing_in_b(*, person):  # the worker dies while working tenant B
        visits.append(connection.schema_name)
        if connection.schema_name == tenant_b.schema_name:
            raise RuntimeError("worker lost")
        return real(person=person)

    # given a request whose first run fails in tenant B
    erasure = account_erasure_request(user=person.user, actor=operator)  # no commit: no task
    monkeypatch.setattr(erasure_module, "erase_tenant_rows", failing_in_b)
    with pytest.raises(RuntimeError):
        account_erasure_run(erasure_id=erasure.pk)
    erasure.refresh_from_db()
    assert erasure.state == AccountErasureRequest.State.FAILED
    assert tenant_a.schema_name in erasure.progress
    assert tenant_b.schema_name not in erasure.progress
    assert _tenant_counts(tenant_a, person.user.pk)["roles"] == 0
    assert _tenant_counts(tenant_b, person.user.pk)["documents"] == 2  # B rolled back
    assert User.objects.get(pk=person.user.pk).full_name == "Siti Rahmawati"

    # when it runs again
    def counting(*, person):
        visits.append(connection.schema_name)
        return real(person=person)

    monkeypatch.setattr(erasure_module, "erase_tenant_rows", counting)
    visits.clear()
    account_erasure_run(erasure_id=erasure.pk)

    # then tenant A is not worked again, B is, and the request is done
    assert tenant_a.schema_name not in visits and tenant_b.schema_name in visits
    erasure.refresh_from_db()
    assert erasure.state == AccountErasureRequest.State.DONE
    assert _tenant_counts(tenant_b, person.user.pk)["documents"] == 0
    (application,) = _apps(tenant_b, person.applications["b"])
    assert application.form_data["nama_pemohon"] == erasure.pseudonym


def test_request_locks_the_account_at_once(person, operator, platform_client):
    platform_client.force_login(person.user)
    assert platform_client.get("/akun/profil/").status_code == 200
    account_erasure_request(user=person.user, actor=operator)  # task not yet run
    assert not User.objects.get(pk=person.user.pk).is_active
    assert platform_client.get("/akun/profil/").status_code == 302


# --------------------------------------------------------------------------- admin


def test_admin_delete_goes_through_the_erasure_service(
    person, operator, admin_client, django_capture_on_commit_callbacks
):
    url = f"/admin/accounts/user/{person.user.pk}/delete/"
    # the confirmation page renders (it used to raise ProgrammingError)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "dipseudonimkan" in page.content.decode()
    # when the operator confirms
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    # then the user row is kept as a tombstone and the request names the operator
    erasure = AccountErasureRequest.objects.get(user_id=person.user.pk)
    assert erasure.state == AccountErasureRequest.State.DONE
    assert erasure.requested_by == operator
    assert User.objects.get(pk=person.user.pk).full_name == erasure.pseudonym


def test_admin_bulk_delete_action_goes_through_the_erasure_service(
    person, bystander, admin_client, django_capture_on_commit_callbacks
):
    selected = {"action": "delete_selected", "_selected_action": [person.user.pk]}
    confirm = admin_client.post("/admin/accounts/user/", selected)
    assert confirm.status_code == 200
    assert "dipseudonimkan" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/accounts/user/", {**selected, "post": "yes"})
    assert AccountErasureRequest.objects.get(user_id=person.user.pk).state == "done"
    assert not AccountErasureRequest.objects.filter(user_id=bystander.user.pk).exists()
    assert User.objects.get(pk=bystander.user.pk).is_active


def test_admin_lists_erasure_progress(person, operator, admin_client,
                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account_erasure_request(user=person.user, actor=operator)
    page = admin_client.get("/admin/accounts/accounterasurerequest/")
    assert page.status_code == 200
    assert "akun publik selesai" in page.content.decode()


# --------------------------------------------------------------------------- self-service


def test_citizen_erases_own_account_after_confirming(
    person, platform_client, django_capture_on_commit_callbacks
):
    platform_client.force_login(person.user)
    page = platform_client.get("/akun/hapus/")
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    # without the confirmation word nothing happens
    refused = platform_client.post("/akun/hapus/", {"confirm": "ya"})
    assert refused.status_code == 400
    assert not AccountErasureRequest.objects.filter(user_id=person.user.pk).exists()
    # with it the account is erased and the session ends
    with django_capture_on_commit_callbacks(execute=True):
        done = platform_client.post("/akun/hapus/", {"confirm": "HAPUS"})
    assert done.status_code == 200
    erasure = AccountErasureRequest.objects.get(user_id=person.user.pk)
    assert erasure.state == "done" and erasure.requested_by_id == person.user.pk
    assert platform_client.get("/akun/profil/").status_code == 302


def test_operators_cannot_erase_themselves(operator, platform_client):
    platform_client.force_login(operator)
    response = platform_client.post("/akun/hapus/", {"confirm": "HAPUS"})
    assert response.status_code == 400
    assert not AccountErasureRequest.objects.filter(user_id=operator.pk).exists()
    assert User.objects.get(pk=operator.pk).is_active


def test_erasure_page_is_platform_only(person, client_a):
    client_a.force_login(person.user)
    assert client_a.get("/akun/hapus/").status_code == 404
    assert client_a.post("/akun/hapus/", {"confirm": "HAPUS"}).status_code == 404
    assert not AccountErasureRequest.objects.filter(user_id=person.user.pk).exists()
