"""Fixtures of the applications tests: the real seed catalogue (KK-UBAH, SIP-DOKTER), an OPD
and offerings in tenant A (and B), a verified citizen with a profile, staff of each role."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

NIK = "3273014101900001"  # Kota Bandung, female, born 1 Jan 1990
PHONE = "6281234567890"

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(scope="session")
def _apps_catalog(django_db_setup, django_db_blocker):
    from catalog.seeding import seed_catalog

    with django_db_blocker.unblock():
        return seed_catalog()


@pytest.fixture
def catalog(_apps_catalog, db):
    return _apps_catalog


def _published(code: str):
    from catalog.models import ServiceVersion

    with schema_context("public"):
        return (
            ServiceVersion.objects.filter(service__code=code, status="published")
            .order_by("-number").first()
        )


def make_offering(tenant, in_tenant, *, code: str, agency_name: str, short: str):
    from agencies.models import Agency
    from agencies.services import agency_create
    from services.services import offering_adopt

    with in_tenant(tenant):
        agency = Agency.objects.filter(short_name=short).first() or agency_create(
            name=agency_name, short_name=short
        )
        return offering_adopt(
            service_version=_published(code), agency=agency, channel="online", actor=None
        )


@pytest.fixture
def kk_offering(catalog, tenant_a, in_tenant):
    return make_offering(tenant_a, in_tenant, code="KK-UBAH",
                         agency_name="Dinas Kependudukan dan Pencatatan Sipil",
                         short="Disdukcapil")


@pytest.fixture
def sip_offering(catalog, tenant_a, in_tenant):
    return make_offering(tenant_a, in_tenant, code="SIP-DOKTER",
                         agency_name="Dinas Penanaman Modal dan PTSP", short="DPMPTSP")


@pytest.fixture
def kk_offering_b(catalog, tenant_b, in_tenant):
    return make_offering(tenant_b, in_tenant, code="KK-UBAH",
                         agency_name="Dinas Kependudukan dan Pencatatan Sipil",
                         short="Disdukcapil")


@pytest.fixture
def citizen(user_factory):
    from accounts.models import CitizenProfile

    user = user_factory(phone=PHONE, email_verified_at=timezone.now())
    with schema_context("public"):
        CitizenProfile.objects.create(
            user=user, nik=f"32730141019{uuid.uuid4().int % 10**5:05d}", birth_place="Bandung",
            sex="P", address="Jl. Asia Afrika 1",
        )
    return user


@pytest.fixture
def other_citizen(user_factory):
    return user_factory(email_verified_at=timezone.now())


@pytest.fixture
def staff(staff_user, tenant_a):
    """`staff(role, offering)` → a user with that role in the offering's OPD (tenant A)."""
    from agencies.models import StaffRole

    def _make(role: str = StaffRole.Role.OFFICER, offering: Any = None, tenant: Any = None):
        agency = offering.agency if offering is not None and role != "tenant_admin" else None
        return staff_user(tenant or tenant_a, role=role, agency=agency)

    return _make


def upload(content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def kk_form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "nik_pemohon": NIK, "nama_pemohon": "Siti Warga", "no_hp": "081234567890",
        "email": "", "nomor_kk": "3273010101010001", "jenis_perubahan": "pendidikan",
        "nik_anggota": "", "alasan": "Perubahan pendidikan terakhir anak.",
        "cara_pengambilan": "unduh",
    }
    data.update(overrides)
    return data


@pytest.fixture
def vault_docs(citizen, tenant_a, in_tenant):
    """Two documents in the citizen's vault in tenant A: {kk_lama, bukti_perubahan}."""
    from applications.vault import vault_document_create

    with in_tenant(tenant_a):
        kk = vault_document_create(owner=citizen, upload=upload(PDF_BYTES, "kk.pdf"),
                                   document_type="KK")
        bukti = vault_document_create(owner=citizen, upload=upload(PNG_BYTES, "ijazah.png"),
                                      document_type="IJAZAH")
    return {"kk_lama": kk.pk, "bukti_perubahan": bukti.pk}


@pytest.fixture
def submit_kk(citizen, kk_offering, vault_docs, tenant_a, in_tenant) -> Callable[..., Any]:
    """`submit_kk()` → a submitted KK-UBAH application of `citizen` in tenant A."""
    from applications.services import application_submit

    def _submit(**overrides: Any):
        with in_tenant(tenant_a):
            application, _replayed = application_submit(
                applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=kk_offering,
                form_data=kk_form_data(**overrides), documents=vault_docs, share_consent=True,
            )
        return application

    return _submit


def buffer(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)


# --- regions (issue 17): Kota Bandung's kecamatan/desa and the KTP-UBAH form that asks for them

SUKASARI, SARIJADI = "32.73.01", "32.73.01.1004"
COBLONG, DAGO = "32.73.02", "32.73.02.1004"


@pytest.fixture
def regions_a(tenant_a, in_tenant):
    from regions.services import region_import_apply

    with in_tenant(tenant_a):
        region_import_apply(actor=None, source="reference")


@pytest.fixture
def ktp_offering(catalog, tenant_a, in_tenant):
    return make_offering(tenant_a, in_tenant, code="KTP-UBAH",
                         agency_name="Dinas Kependudukan dan Pencatatan Sipil",
                         short="Disdukcapil")


@pytest.fixture
def ktp_docs(citizen, tenant_a, in_tenant):
    from applications.vault import vault_document_create

    with in_tenant(tenant_a):
        return {
            code: vault_document_create(owner=citizen, upload=upload(PDF_BYTES, f"{code}.pdf"),
                                        document_type=kind).pk
            for code, kind in (("kk", "KK"), ("ktp_lama", "KTP"))
        }


def ktp_form_data(**overrides):
    data = {
        "nik_pemohon": NIK, "nama_pemohon": "Siti Warga", "alamat": "Jl. Sukasari 1",
        "kecamatan": SUKASARI, "desa": SARIJADI, "no_hp": "081234567890", "email": "",
        "nomor_kk": "3273010101010001", "elemen_data": "alamat",
        "keterangan_perubahan": "Pindah alamat dalam kota.", "cara_pengambilan":
        "loket_disdukcapil",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ministry_client(user_factory):
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=settings.MPP_BASE_DOMAIN)
    client.force_login(user_factory(ministry_role="viewer", email="pemantau-q@menpan.go.id"))
    return client
