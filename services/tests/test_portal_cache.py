"""The anonymous service list is cached per tenant, language and query, and a write that
changes what it shows is visible on the next request."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from services.services import offering_set_enabled


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _queries(client, *args, **kwargs) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/layanan/", *args, **kwargs)
    assert response.status_code == 200
    return _main(response.content.decode()), len(ctx.captured_queries)


def test_second_anonymous_visit_reads_no_offering_rows(client_a, offering_a, permit_offering_a):
    first, cold = _queries(client_a)
    second, warm = _queries(client_a)
    assert second == first and "KTP-el Uji" in second
    assert warm < cold
    with CaptureQueriesContext(connection) as ctx:
        client_a.get("/layanan/")
    assert not [q for q in ctx.captured_queries if "services_offering" in q["sql"]]


def test_a_disabled_offering_leaves_the_cached_list_at_once(
    client_a, tenant_a, in_tenant, offering_a, permit_offering_a,
    django_capture_on_commit_callbacks,
):
    assert "SIP Dokter Uji" in client_a.get("/layanan/").content.decode()
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        offering_set_enabled(offering=permit_offering_a, is_enabled=False, actor=None)
    assert "SIP Dokter Uji" not in client_a.get("/layanan/").content.decode()


def test_agency_rename_and_disabling_show_at_once(
    client_a, tenant_a, in_tenant, offering_a, agency_a, django_capture_on_commit_callbacks,
):
    assert "Gratis" in client_a.get("/layanan/").content.decode()
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        agency = Agency.objects.get(pk=agency_a.pk)
        agency.name = "Dinas Uji Berganti Nama"
        agency.save()
    assert "Dinas Uji Berganti Nama" in client_a.get("/layanan/").content.decode()
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        offering_set_enabled(offering=offering_a, is_enabled=False, actor=None)
    assert "Belum ada layanan" in client_a.get("/layanan/").content.decode()


def test_languages_and_queries_have_their_own_fragments(
    client_a, offering_a, permit_offering_a, settings
):
    indonesian = client_a.get("/layanan/").content.decode()
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    english = client_a.get("/layanan/").content.decode()
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Daftar layanan" in _main(indonesian)
    assert "Daftar layanan" not in _main(english)
    searched = client_a.get("/layanan/", {"q": "dokter"}).content.decode()
    assert "SIP Dokter Uji" in searched and "KTP-el Uji" not in searched


def test_another_tenant_never_gets_a_cached_fragment(client_a, client_b, offering_a):
    assert "KTP-el Uji" in client_a.get("/layanan/").content.decode()
    assert "KTP-el Uji" not in client_b.get("/layanan/").content.decode()
    assert "Belum ada layanan" in client_b.get("/layanan/").content.decode()


def test_signed_in_visitors_share_the_fragment_and_it_carries_nobody_s_data(
        client_a, offering_a, user_factory):
    citizen = user_factory(full_name="Warga Bernama Unik")
    client_a.force_login(citizen)
    page = client_a.get("/layanan/").content.decode()  # rendered (and stored) for a citizen
    assert "Warga Bernama Unik" in page  # the page around the fragment is theirs
    with CaptureQueriesContext(connection) as ctx:
        again = client_a.get("/layanan/").content.decode()
    assert "KTP-el Uji" in again
    assert not [q for q in ctx.captured_queries if "services_offering" in q["sql"]]
    client_a.logout()
    anonymous, _n = _queries(client_a)
    assert "KTP-el Uji" in anonymous
    assert "Warga Bernama Unik" not in anonymous and citizen.email not in anonymous


def test_a_signed_in_citizen_s_home_reads_the_cached_figures(client_a, offering_a, user_factory):
    client_a.force_login(user_factory())
    assert client_a.get("/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client_a.get("/").status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "applications_application" not in sql and "feedback_skmresponse" not in sql
    assert len(ctx.captured_queries) <= 6, [q["sql"][:80] for q in ctx.captured_queries]
