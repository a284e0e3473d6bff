"""Portal directory/detail and the back office /kelola/layanan/, with cross-tenant checks."""

from __future__ import annotations

import pytest

from agencies.models import StaffRole
from services.models import Offering
from services.services import offering_set_enabled, offering_update
from sla.models import SlaPolicy


def _snapshot(tenant, in_tenant) -> list[tuple]:
    with in_tenant(tenant):
        return list(
            Offering.objects.order_by("pk").values_list(
                "service_code", "service_version_id", "agency_id", "channel", "external_url",
                "local_fee_amount", "local_requirements", "is_enabled",
            )
        ) + list(SlaPolicy.objects.order_by("pk").values_list("target_value", "target_unit"))


@pytest.fixture
def officer_a(tenant_a, in_tenant, staff_user, agency_a):
    return staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=agency_a)


# --------------------------------------------------------------------------- portal


def test_directory_lists_enabled_offerings_by_category(
    client_a, tenant_a, in_tenant, offering_a, permit_offering_a
):
    with in_tenant(tenant_a):
        offering_set_enabled(offering=permit_offering_a, is_enabled=False, actor=None)
    response = client_a.get("/layanan/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "KTP-el Uji" in html
    assert "Administrasi Kependudukan" in html
    assert "SIP Dokter Uji" not in html
    assert "Gratis" in html


def test_directory_search_and_category_filter(
    client_a, offering_a, permit_offering_a
):
    html = client_a.get("/layanan/", {"q": "dokter"}).content.decode()
    assert "SIP Dokter Uji" in html and "KTP-el Uji" not in html
    html = client_a.get("/layanan/", {"kategori": "ADM"}).content.decode()
    assert "KTP-el Uji" in html and "SIP Dokter Uji" not in html
    html = client_a.get("/layanan/", {"q": "tidak-ada-layanan-ini"}).content.decode()
    assert "Tidak ada layanan yang cocok" in html


def test_directory_empty_state(client_b):
    response = client_b.get("/layanan/")
    assert response.status_code == 200
    assert "Belum ada layanan" in response.content.decode()


def test_detail_shows_the_standar_pelayanan(client_a, tenant_a, in_tenant, offering_a):
    with in_tenant(tenant_a):
        offering_update(
            offering=offering_a, actor=None,
            local_requirements=[{"code": "surat_rt", "label": "Surat pengantar RT",
                                 "kind": "document", "required": True,
                                 "justification": "Perwal 5/2025"}],
        )
    response = client_a.get("/layanan/t-ktp/")
    html = response.content.decode()
    assert response.status_code == 200
    for component in ("1. Persyaratan", "2. Sistem, mekanisme, dan prosedur",
                      "3. Jangka waktu penyelesaian", "4. Biaya/tarif", "5. Produk pelayanan",
                      "6. Penanganan pengaduan"):
        assert component in html
    assert "Kartu Keluarga" in html and "Surat pengantar RT" in html and "tambahan daerah" in html
    assert "1 hari kerja" in html
    assert "Rp0 (gratis)" in html and "UU 24/2013 Pasal 79A" in html
    assert "Dinas Kependudukan dan Pencatatan Sipil" in html
    assert 'href="/permohonan/baru/T-KTP/"' in html


def test_detail_of_a_disabled_or_unknown_offering_is_404(
    client_a, tenant_a, in_tenant, offering_a
):
    with in_tenant(tenant_a):
        offering_set_enabled(offering=offering_a, is_enabled=False, actor=None)
    assert client_a.get("/layanan/T-KTP/").status_code == 404
    assert client_a.get("/layanan/NOPE/").status_code == 404


def test_another_tenants_portal_does_not_show_a_offerings(client_b, offering_a):
    assert "KTP-el Uji" not in client_b.get("/layanan/").content.decode()
    assert client_b.get("/layanan/T-KTP/").status_code == 404


# --------------------------------------------------------------------------- back office


def test_citizens_cannot_open_the_back_office(client_a, user_factory, offering_a):
    client_a.force_login(user_factory())
    assert client_a.get("/kelola/layanan/").status_code == 403
    assert client_a.get("/kelola/layanan/T-KTP/").status_code == 403


def test_admin_sees_drift_and_new_version_badges(
    client_a, tenant_a, in_tenant, staff_user, offering_a, permit_offering_a
):
    from services.tests.factories import service_version
    from sla.services import sla_policy_update

    service_version(code="T-KTP", number=2)
    with in_tenant(tenant_a):
        sla_policy_update(offering=permit_offering_a, actor=None, target_value=9)
    client_a.force_login(staff_user(tenant_a))
    html = client_a.get("/kelola/layanan/").content.decode()
    assert "versi baru tersedia" in html
    assert "SLA lebih lama" in html
    assert "9 hari kerja lebih lama dari standar nasional 5 hari kerja" in html


def test_officer_can_view_but_not_change(client_a, tenant_a, in_tenant, officer_a, offering_a,
                                         agency_a):
    client_a.force_login(officer_a)
    before = _snapshot(tenant_a, in_tenant)
    assert client_a.get("/kelola/layanan/").status_code == 200
    assert client_a.get("/kelola/layanan/T-KTP/").status_code == 403
    assert client_a.get("/kelola/layanan/adopsi/").status_code == 403
    assert client_a.post("/kelola/layanan/T-KTP/", {"channel": "counter"}).status_code == 403
    assert client_a.post("/kelola/layanan/T-KTP/status/", {"is_enabled": "0"}).status_code == 403
    assert client_a.post("/kelola/layanan/T-KTP/versi-baru/").status_code == 403
    assert _snapshot(tenant_a, in_tenant) == before


def test_admin_adopts_from_the_catalogue(client_a, tenant_a, in_tenant, staff_user, agency_a,
                                         permit_version):
    client_a.force_login(staff_user(tenant_a))
    page = client_a.get("/kelola/layanan/adopsi/")
    assert "SIP Dokter Uji" in page.content.decode()
    # external channel without URL: specific error, input kept
    response = client_a.post("/kelola/layanan/adopsi/", {
        "service_version": permit_version.pk, "agency": agency_a.pk, "channel": "external",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tautan aplikasi OPD wajib diisi" in html
    assert 'value="external" checked' in html or 'value="external"\n' in html or "checked" in html
    with in_tenant(tenant_a):
        assert not Offering.objects.exists()
    response = client_a.post("/kelola/layanan/adopsi/", {
        "service_version": permit_version.pk, "agency": agency_a.pk, "channel": "online",
    })
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert Offering.objects.get().service_code == "T-SIP"


def _edit_data(agency, **extra):
    data = {
        "agency": agency.pk, "channel": "online", "external_url": "", "local_fee_amount": "0",
        "local_fee_basis": "", "req-TOTAL_FORMS": "1", "req-INITIAL_FORMS": "0",
        "req-MIN_NUM_FORMS": "0", "req-MAX_NUM_FORMS": "30",
        "req-0-label": "", "req-0-code": "", "req-0-kind": "document", "req-0-justification": "",
    }
    data.update(extra)
    return data


def test_edit_refuses_an_adminduk_fee_and_keeps_the_input(
    client_a, tenant_a, in_tenant, staff_user, agency_a, offering_a
):
    client_a.force_login(staff_user(tenant_a))
    before = _snapshot(tenant_a, in_tenant)
    response = client_a.post("/kelola/layanan/T-KTP/", _edit_data(
        agency_a, local_fee_amount="15000", local_fee_basis="Perda 9/2020",
    ))
    html = response.content.decode()
    assert response.status_code == 400
    assert "tidak boleh dipungut biaya (UU 24/2013 Pasal 79A)" in html
    assert 'value="15000"' in html and 'value="Perda 9/2020"' in html
    assert _snapshot(tenant_a, in_tenant) == before


def test_edit_saves_local_requirements(client_a, tenant_a, in_tenant, staff_user, agency_a,
                                       permit_offering_a):
    client_a.force_login(staff_user(tenant_a))
    response = client_a.post("/kelola/layanan/T-SIP/", _edit_data(
        agency_a, **{"req-0-label": "Surat keterangan sehat", "req-0-required": "on",
                     "req-0-justification": "Perwal 3/2025"},
    ))
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert Offering.objects.get().local_requirements == [{
            "code": "surat_keterangan_sehat", "label": "Surat keterangan sehat",
            "kind": "document", "required": True, "justification": "Perwal 3/2025",
        }]


def test_admin_disables_and_adopts_a_new_version(client_a, tenant_a, in_tenant, staff_user,
                                                 offering_a):
    from services.tests.factories import service_version

    v2 = service_version(code="T-KTP", number=2)
    client_a.force_login(staff_user(tenant_a))
    assert client_a.post("/kelola/layanan/T-KTP/status/", {"is_enabled": "0"}).status_code == 302
    review = client_a.get("/kelola/layanan/T-KTP/versi-baru/")
    assert "Pakai versi 2" in review.content.decode()
    assert client_a.post("/kelola/layanan/T-KTP/versi-baru/").status_code == 302
    with in_tenant(tenant_a):
        offering = Offering.objects.get()
        assert (offering.is_enabled, offering.service_version_id) == (False, v2.pk)


def test_admin_of_b_cannot_see_or_change_a_offerings(
    tenant_a, tenant_b, in_tenant, staff_user, offering_a, agency_a, client_a, client_b
):
    # given the admin of B, with a session on A's host (no role in A) and on B's host
    admin_b = staff_user(tenant_b)
    client_a.force_login(admin_b)
    client_b.force_login(admin_b)
    before = _snapshot(tenant_a, in_tenant)
    # when they try A's back office on A's host
    assert client_a.get("/kelola/layanan/").status_code == 403
    assert client_a.post("/kelola/layanan/T-KTP/", _edit_data(agency_a, channel="counter")
                         ).status_code == 403
    assert client_a.post("/kelola/layanan/T-KTP/status/", {"is_enabled": "0"}).status_code == 403
    # and A's offering through B's host
    assert "T-KTP" not in client_b.get("/kelola/layanan/").content.decode()
    assert client_b.get("/kelola/layanan/T-KTP/").status_code == 404
    assert client_b.post("/kelola/layanan/T-KTP/status/", {"is_enabled": "0"}).status_code == 404
    # then nothing changed in A or B
    assert _snapshot(tenant_a, in_tenant) == before
    assert _snapshot(tenant_b, in_tenant) == []


def test_page_query_counts_do_not_grow_with_offerings(
    client_a, tenant_a, in_tenant, staff_user, agency_a, offering_a
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services.services import offering_adopt
    from services.tests.factories import service_version

    client_a.force_login(staff_user(tenant_a))

    def count(path: str) -> int:
        cache.clear()  # the rendering path, not a cached portal fragment (services.views)
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get(path).status_code == 200
        # session bookkeeping (other middleware may save the session now and then) aside
        return len([q for q in ctx.captured_queries
                    if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]])

    client_a.get("/masuk/?lokal=1")  # the host's route is kept from now on (tenants.routing)
    before = {path: count(path) for path in ("/layanan/", "/kelola/layanan/")}
    with in_tenant(tenant_a):
        for n in range(3):
            offering_adopt(
                service_version=service_version(code=f"T-PG{n}", category_code="IZN"),
                agency=agency_a, channel="online", actor=None,
            )
    assert {path: count(path) for path in before} == before
