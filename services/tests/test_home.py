"""The regency portal home (/ on a tenant host): every section with data, its empty states,
a fixed number of queries, the announcement back office (tenant admins only, audited) and
tenant isolation."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import StaffRole
from audit.models import AuditEvent
from services.models import Announcement
from services.services import announcement_create

from .factories import service_version

_seq = itertools.count(1)


def _main(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def external_offering_a(tenant_a, in_tenant, agency_a):
    from services.services import offering_adopt

    version = service_version(code="T-PBG", category_code="IZN", name="Persetujuan Bangunan Uji")
    with in_tenant(tenant_a):
        return offering_adopt(
            service_version=version, agency=agency_a, channel="external",
            external_url="https://simbg.example.go.id", actor=None,
        )


def _applications(offering, user, *, n: int, status: str = "submitted", late: bool = False):
    from applications.models import Application

    now = timezone.now()
    for _ in range(n):
        i = next(_seq)
        finished = status == "completed"
        Application.objects.create(
            tracking_code=f"T-{i:06d}", offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency_id=offering.agency_id,
            applicant_id=user.pk, status=status, submitted_at=now - timedelta(days=3),
            due_at=now - timedelta(days=2 if late else -2) if finished else None,
            completed_at=now - timedelta(days=1) if finished else None,
        )


def _skm(offering, *, n: int, score: int = 4):
    from feedback.models import SkmResponse

    now = timezone.now()
    for _ in range(n):
        SkmResponse.objects.create(
            source="application", source_id=next(_seq), channel="online", offering=offering,
            service_code=offering.service_code, agency_id=offering.agency_id,
            invited_at=now - timedelta(days=1), submitted_at=now - timedelta(hours=5),
            **{f"u{k}": score for k in range(1, 10)},
        )


def _complaint(offering, *, closed: bool):
    from feedback.models import Complaint

    now = timezone.now()
    Complaint.objects.create(
        tracking_code=f"ADU-{next(_seq):05d}", subject="application", agency_id=offering.agency_id,
        offering=offering, title="Lambat", shortfall="Melewati jangka waktu",
        verify_due=now + timedelta(days=1), respond_due=now + timedelta(days=5),
        created_at=now - timedelta(days=2), status="closed" if closed else "submitted",
        verified_at=now - timedelta(days=1) if closed else None,
        closed_at=now - timedelta(hours=3) if closed else None,
    )


def _counter(agency, code: str = "L1", name: str = "Loket Kependudukan"):
    from hall.models import Counter

    return Counter.objects.create(code=code, name=name, agency=agency, services=["T-KTP"])


def _waiting_ticket(offering):
    from hall.models import Ticket

    i = next(_seq)
    Ticket.objects.create(
        kind="walk_in", status="waiting", offering=offering, service_code=offering.service_code,
        agency_id=offering.agency_id, day=timezone.localdate(), code=f"W{i:07d}",
        prefix="A", seq=i, queued_at=timezone.now(),
    )


@pytest.fixture
def seeded_a(tenant_a, in_tenant, offering_a, permit_offering_a, external_offering_a,
             user_factory, agency_a):
    """Tenant A with applications, survey answers, complaints, a counter, a waiting ticket
    and one published announcement."""
    user = user_factory()
    with in_tenant(tenant_a):
        _applications(permit_offering_a, user, n=3)
        _applications(offering_a, user, n=1)
        _applications(offering_a, user, n=3, status="completed")
        _applications(offering_a, user, n=1, status="completed", late=True)
        _skm(offering_a, n=4)
        _complaint(offering_a, closed=True)
        _complaint(offering_a, closed=False)
        _counter(agency_a)
        _waiting_ticket(offering_a)
        announcement_create(actor=None, title="Gedung MPP tutup Sabtu ini",
                            body="Perbaikan listrik.", is_published=True)
        announcement_create(actor=None, title="Draf rahasia", body="Belum terbit.")
    return user


# --------------------------------------------------------------------------- sections


def test_home_shows_every_section_with_data(client_a, seeded_a):
    html = _main(client_a.get("/"))
    # search and tracking
    assert 'hx-get="/layanan/"' in html and 'id="home-search-results"' in html
    assert 'action="/lacak/"' in html and 'name="digits"' in html
    # popular: by submitted applications, most first (KTP 5, permit 3)
    popular = html.split('id="h-popular"', 1)[1].split("</section>", 1)[0]
    assert popular.index("KTP-el Uji") < popular.index("SIP Dokter Uji")
    assert "5 permohonan" in popular and "3 permohonan" in popular
    # OPDs in the hall, with their counters and services
    opds = html.split('id="h-opd"', 1)[1].split("</section>", 1)[0]
    assert "Dinas Kependudukan dan Pencatatan Sipil" in opds and "Loket Kependudukan" in opds
    assert "KTP-el Uji" in opds
    # OPD applications through the external-open route
    external = html.split('id="h-external"', 1)[1].split("</section>", 1)[0]
    assert "Persetujuan Bangunan Uji" in external and "/layanan/T-PBG/buka/" in external
    assert "KTP-el Uji" not in external
    # the hall's hours from the work calendar: today and six more days
    hall = html.split('id="h-hall"', 1)[1].split("</section>", 1)[0]
    assert "Hari ini" in hall and hall.count("<th scope=\"row\">") == 7
    # announcements: published only
    assert "Gedung MPP tutup Sabtu ini" in html and "Draf rahasia" not in html
    # today's queue
    assert 'data-testid="queue-waiting">1<' in html or "Gedung MPP tutup hari ini" in html
    # published performance: IKM 100 (all answers 4), SLA 75 % (3 of 4), complaints 1 of 2
    assert 'data-testid="home-ikm">100.00<' in html
    assert "IKM per OPD" in html and "IKM per layanan" in html
    perf = html.split('id="h-perf"', 1)[1]
    assert 'data-testid="home-sla">75,0%<' in html, perf[:3000]  # Indonesian decimals
    assert 'data-testid="home-complaints">1<' in html


def test_a_new_tenant_gets_helpful_sentences_not_empty_boxes(client_b):
    html = _main(client_b.get("/"))
    for sentence in (
        "Belum ada pengumuman.",
        "Belum ada layanan yang dibuka di portal ini.",
        "Belum ada OPD yang membuka loket di gedung MPP.",
        "Belum ada layanan yang dijalankan di aplikasi OPD",
        "Alamat gedung MPP belum diisi",
        "Belum ada data kinerja untuk periode ini.",
    ):
        assert sentence in html, sentence
    assert "Belum ada antrean hari ini." in html or "Gedung MPP tutup hari ini." in html


def test_instant_search_answers_with_a_short_list(client_a, offering_a, permit_offering_a):
    headers = {"HX-Request": "true", "HX-Target": "home-search-results"}
    found = client_a.get("/layanan/", {"q": "dokter"}, headers=headers)
    assert found.status_code == 200 and "<main" not in found.content.decode()
    assert "SIP Dokter Uji" in found.content.decode()
    assert "KTP-el Uji" not in found.content.decode()
    assert "HX-Request" in found["Vary"]
    none = client_a.get("/layanan/", {"q": "zzzz"}, headers=headers).content.decode()
    assert "Tidak ada layanan yang cocok" in none
    assert client_a.get("/layanan/", {"q": ""}, headers=headers).content.decode() == ""
    # the directory's own form gets its result list only
    listed = client_a.get("/layanan/", {"q": "ktp"}, headers={"HX-Request": "true"})
    body = listed.content.decode()
    assert "<main" not in body and "KTP-el Uji" in body and "SIP Dokter Uji" not in body


def test_home_queries_are_fixed_and_cached(client_a, seeded_a, tenant_a, in_tenant, offering_a,
                                           user_factory):
    client_a.get("/masuk/?lokal=1")  # the host's route is kept from now on (tenants.routing)
    with CaptureQueriesContext(connection) as cold:
        client_a.get("/")
    with CaptureQueriesContext(connection) as warm:
        client_a.get("/")
    assert len(warm) <= 2, [q["sql"] for q in warm.captured_queries]
    assert not [q for q in warm.captured_queries if "services_offering" in q["sql"]]
    # more rows, same queries when rendered again
    from django.core.cache import cache

    with in_tenant(tenant_a):
        _applications(offering_a, user_factory(), n=5, status="completed")
        _skm(offering_a, n=5)
        _complaint(offering_a, closed=True)
        for _ in range(3):
            announcement_create(actor=None, title="Lagi", body="Isi", is_published=True)
    cache.clear()
    with CaptureQueriesContext(connection) as again:
        client_a.get("/")
    assert len(again) == len(cold)


def test_an_announcement_shows_on_the_home_at_once(
    client_a, tenant_a, in_tenant, django_capture_on_commit_callbacks,
):
    assert "Belum ada pengumuman." in _main(client_a.get("/"))
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        announcement_create(actor=None, title="Layanan malam Jumat", body="Buka sampai 20.00",
                            is_published=True)
    assert "Layanan malam Jumat" in _main(client_a.get("/"))


def test_announcement_window_and_draft_are_respected(client_a, tenant_a, in_tenant):
    today = timezone.localdate()
    with in_tenant(tenant_a):
        announcement_create(actor=None, title="Nanti", body="x", is_published=True,
                            starts_on=today + timedelta(days=2))
        announcement_create(actor=None, title="Lewat", body="x", is_published=True,
                            starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=1))
        announcement_create(actor=None, title="Sekarang", body="x", is_published=True,
                            starts_on=today, ends_on=today)
    html = _main(client_a.get("/"))
    assert "Sekarang" in html and "Nanti" not in html and "Lewat" not in html


def test_home_never_shows_another_tenants_data(client_b, seeded_a):
    html = _main(client_b.get("/"))
    for text in ("KTP-el Uji", "Gedung MPP tutup Sabtu ini", "Loket Kependudukan",
                 "Persetujuan Bangunan Uji", "home-ikm"):
        assert text not in html, text


# --------------------------------------------------------------------------- back office


def _form(**overrides):
    data = {"title": "Libur Nyepi", "body": "Gedung MPP tutup.", "link_url": "",
            "starts_on": "", "ends_on": "", "is_published": "on"}
    data.update(overrides)
    return data


def test_tenant_admin_writes_announcements_and_each_write_is_audited(
    client_a, tenant_a, in_tenant, staff_user,
):
    admin = staff_user(tenant_a, role=StaffRole.Role.TENANT_ADMIN)
    client_a.force_login(admin)
    assert "Belum ada pengumuman." in _main(client_a.get("/kelola/pengumuman/"))
    assert client_a.get("/kelola/pengumuman/baru/").status_code == 200
    bad = client_a.post("/kelola/pengumuman/baru/", _form(
        title="", starts_on="2026-05-10", ends_on="2026-05-01"))
    assert bad.status_code == 400
    response = client_a.post("/kelola/pengumuman/baru/", _form())
    assert response.status_code == 302
    with in_tenant(tenant_a):
        item = Announcement.objects.get()
    assert item.is_published and item.created_by_id == admin.pk
    assert client_a.post(f"/kelola/pengumuman/{item.pk}/", _form(
        title="Libur Nyepi (diperbarui)", is_published="")).status_code == 302
    with in_tenant(tenant_a):
        item.refresh_from_db()
    assert item.title == "Libur Nyepi (diperbarui)" and not item.is_published
    assert client_a.post(f"/kelola/pengumuman/{item.pk}/hapus/").status_code == 302
    with in_tenant(tenant_a):
        assert not Announcement.objects.exists()
    actions = list(
        AuditEvent.objects.filter(tenant_schema=tenant_a.schema_name,
                                  action__startswith="announcement.")
        .order_by("at", "id").values_list("action", "actor_id")
    )
    assert actions == [("announcement.create", admin.pk), ("announcement.update", admin.pk),
                       ("announcement.delete", admin.pk)]


@pytest.mark.parametrize("role", [StaffRole.Role.OFFICER, StaffRole.Role.AGENCY_HEAD])
def test_other_staff_cannot_manage_announcements(client_a, tenant_a, in_tenant, staff_user,
                                                 agency_a, role):
    with in_tenant(tenant_a):
        item = announcement_create(actor=None, title="Tetap", body="x", is_published=True)
    client_a.force_login(staff_user(tenant_a, role=role, agency=agency_a))
    assert client_a.get("/kelola/pengumuman/").status_code == 403
    assert client_a.post("/kelola/pengumuman/baru/", _form()).status_code == 403
    assert client_a.post(f"/kelola/pengumuman/{item.pk}/", _form(title="Diubah")).status_code == 403
    assert client_a.post(f"/kelola/pengumuman/{item.pk}/hapus/").status_code == 403
    with in_tenant(tenant_a):
        assert list(Announcement.objects.values_list("title", flat=True)) == ["Tetap"]


def test_anonymous_visitors_are_sent_to_login(client_a):
    response = client_a.get("/kelola/pengumuman/")
    assert response.status_code in (302, 403)
    assert client_a.post("/kelola/pengumuman/baru/", _form()).status_code in (302, 403)


def test_another_tenants_admin_cannot_read_or_change_announcements(
    client_a, client_b, tenant_a, tenant_b, in_tenant, staff_user,
):
    with in_tenant(tenant_a):
        item = announcement_create(actor=None, title="Milik Bandung", body="x", is_published=True)
    admin_b = staff_user(tenant_b, role=StaffRole.Role.TENANT_ADMIN)
    # on its own host, tenant B's admin finds nothing under tenant A's id
    client_b.force_login(admin_b)
    assert "Milik Bandung" not in client_b.get("/kelola/pengumuman/").content.decode()
    assert client_b.get(f"/kelola/pengumuman/{item.pk}/").status_code == 404
    assert client_b.post(f"/kelola/pengumuman/{item.pk}/", _form(title="X")).status_code == 404
    assert client_b.post(f"/kelola/pengumuman/{item.pk}/hapus/").status_code == 404
    # on tenant A's host the same account has no role
    client_a.force_login(admin_b)
    assert client_a.get(f"/kelola/pengumuman/{item.pk}/").status_code in (302, 403, 404)
    assert client_a.post(f"/kelola/pengumuman/{item.pk}/hapus/").status_code in (302, 403, 404)
    with in_tenant(tenant_a):
        item.refresh_from_db()
        assert item.title == "Milik Bandung" and item.is_published
    with in_tenant(tenant_b):
        assert not Announcement.objects.exists()


def test_the_home_speaks_english_when_asked(client_a, offering_a, settings):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _main(client_a.get("/"))
    assert "Most used services" in html and "Agencies in the MPP building" in html
    assert "Layanan terpopuler" not in html


def test_the_queue_fragment_is_per_tenant(client_a, client_b, seeded_a):
    mine = client_a.get("/beranda/antrean/").content.decode()
    theirs = client_b.get("/beranda/antrean/").content.decode()
    assert 'data-testid="queue-waiting">1<' in mine or "tutup hari ini" in mine
    assert "queue-waiting" not in theirs
    headers = {"HX-Request": "true", "HX-Target": "home-search-results"}
    assert "KTP-el Uji" not in client_b.get("/layanan/", {"q": "ktp"}, headers=headers).content.decode()
