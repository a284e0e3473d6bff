"""Fixtures of the account erasure and export tests: a person who is a citizen in both test
tenants (applications, vault documents) and staff in tenant A (role, OIDC grant and tokens),
and a second citizen whose data must never be touched or exported."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from applications.tests.conftest import (
    PDF_BYTES,
    PNG_BYTES,
    kk_form_data,
    make_offering,
    upload,
)


@pytest.fixture
def offerings(tenant_a, tenant_b, in_tenant) -> dict[str, Any]:
    kwargs = {"code": "KK-UBAH", "agency_name": "Dinas Kependudukan dan Pencatatan Sipil",
              "short": "Disdukcapil"}
    return {"a": make_offering(tenant_a, in_tenant, **kwargs),
            "b": make_offering(tenant_b, in_tenant, **kwargs)}


def _citizen(user_factory: Any, *, name: str) -> Any:
    from accounts.models import CitizenProfile

    phone = f"62812{uuid.uuid4().int % 10**7:07d}"
    user = user_factory(full_name=name, phone=phone, email_verified_at=timezone.now())
    with schema_context("public"):
        CitizenProfile.objects.create(
            user=user, nik=f"32730141019{uuid.uuid4().int % 10**5:05d}", birth_place="Bandung",
            sex="P", address="Jl. Asia Afrika 1",
        )
    return user


@dataclass
class Footprint:
    """What one person left in the tenants: ids per tenant key ("a", "b"); `documents` are
    vault ids (uploaded once each, attached in that tenant)."""

    user: Any
    nik: str
    applications: dict[str, list[int]] = field(default_factory=dict)
    documents: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)  # the tenant's copies
    vault_files: list[str] = field(default_factory=list)  # the citizen's vault (global)
    draft_id: int | None = None


@pytest.fixture
def leave_footprint(offerings, tenant_a, tenant_b, in_tenant):
    """`leave_footprint(user)` → a submitted KK-UBAH application with two vault documents in
    tenant A and in tenant B (the form carries the user's name, NIK and phone), plus a draft
    in tenant A."""
    from accounts.models import CitizenProfile
    from applications.models import AttachedDocument
    from applications.services import application_create_draft, application_submit
    from applications.vault import vault_document_create

    def _leave(user: Any) -> Footprint:
        with schema_context("public"):
            nik = CitizenProfile.objects.get(user=user).nik
        footprint = Footprint(user=user, nik=nik)
        for key, tenant in (("a", tenant_a), ("b", tenant_b)):
            with in_tenant(tenant):
                kk = vault_document_create(owner=user, upload=upload(PDF_BYTES, "kk.pdf"),
                                           document_type="KK")
                ijazah = vault_document_create(
                    owner=user, upload=upload(PNG_BYTES, "ijazah.png"), document_type="IJAZAH"
                )
                application, _replayed = application_submit(
                    applicant=user, idempotency_key=uuid.uuid4().hex, offering=offerings[key],
                    form_data=kk_form_data(
                        nik_pemohon=nik, nama_pemohon=user.full_name, no_hp=f"0{user.phone[2:]}",
                    ),
                    documents={"kk_lama": kk.pk, "bukti_perubahan": ijazah.pk},
                    share_consent=True,
                )
                copies = AttachedDocument.objects.filter(
                    source_document_id__in=[kk.pk, ijazah.pk]).order_by("source_document_id")
                footprint.files[key] = [c.file.name for c in copies]
            footprint.applications[key] = [application.pk]
            footprint.documents[key] = [kk.pk, ijazah.pk]
            footprint.vault_files += [kk.file.name, ijazah.file.name]
        with in_tenant(tenant_a):
            footprint.draft_id = application_create_draft(
                applicant=user, offering=offerings["a"], form_data={"nama_pemohon": user.full_name},
            ).pk
        return footprint

    return _leave


@pytest.fixture
def person(user_factory, staff_user, tenant_a, in_tenant, leave_footprint, offerings):
    """A citizen with data in both tenants who is also an officer in tenant A with an OIDC
    grant, access, refresh and ID token there."""
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant
    from integrations.oidc_models import AccessToken, Grant, IDToken, RefreshToken
    from integrations.services import oidc_client_register

    user = _citizen(user_factory, name="Siti Rahmawati")
    footprint = leave_footprint(user)
    with in_tenant(tenant_a):
        staff_role_grant(user=user, role=StaffRole.Role.OFFICER, agency=offerings["a"].agency)
        client, _secrets = oidc_client_register(
            name="SiCantik", agency=offerings["a"].agency,
            redirect_uris=["https://sicantik.example.go.id/cb"],
            allowed_scopes=["openid", "profile"],
        )
        soon = timezone.now() + timedelta(hours=1)
        Grant.objects.create(user=user, application=client, code=uuid.uuid4().hex,
                             expires=soon, redirect_uri="https://sicantik.example.go.id/cb",
                             scope="openid")
        id_token = IDToken.objects.create(user=user, application=client, expires=soon,
                                          scope="openid")
        access = AccessToken.objects.create(user=user, application=client,
                                            token=uuid.uuid4().hex, expires=soon,
                                            scope="openid", id_token=id_token)
        RefreshToken.objects.create(user=user, application=client, token=uuid.uuid4().hex,
                                    access_token=access)
    return footprint


@pytest.fixture
def bystander(user_factory, staff_user, tenant_a, in_tenant, leave_footprint, offerings):
    """Another citizen (and officer in tenant A) whose data must stay as it is."""
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant

    user = _citizen(user_factory, name="Budi Santoso")
    footprint = leave_footprint(user)
    with in_tenant(tenant_a):
        staff_role_grant(user=user, role=StaffRole.Role.OFFICER, agency=offerings["a"].agency)
    return footprint


@pytest.fixture
def operator(user_factory):
    return user_factory(is_staff=True, is_superuser=True, full_name="Operator Platform")


@pytest.fixture
def admin_client(platform_client, operator):
    platform_client.force_login(operator)
    return platform_client
