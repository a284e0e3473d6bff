"""Host → tenant routes kept per process (tenants.routing): fewer statements per request, and a
change made here is seen on the very next request; elsewhere, within the TTL."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants import routing
from tenants.models import Domain, Tenant


def _domain_lookups(client, path="/masuk/?lokal=1"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, sum('FROM "tenants_domain"' in q["sql"] for q in ctx.captured_queries)


def test_a_host_is_looked_up_once_within_the_ttl(client_a, client_b, tenant_a):
    _first, lookups_first = _domain_lookups(client_a)
    second, lookups_second = _domain_lookups(client_a)
    assert (lookups_first, lookups_second) == (1, 0)
    assert second.wsgi_request.tenant.schema_name == tenant_a.schema_name
    # another host is its own route
    other, lookups_other = _domain_lookups(client_b)
    assert lookups_other == 1 and other.wsgi_request.tenant.schema_name != tenant_a.schema_name


def test_each_request_gets_its_own_tenant_instance(client_a):
    one = client_a.get("/masuk/?lokal=1").wsgi_request.tenant
    one.name = "diubah oleh satu permintaan"
    two = client_a.get("/masuk/?lokal=1").wsgi_request.tenant
    assert two is not one and two.name != one.name


def test_a_suspension_made_here_shows_on_the_next_request(client_a, tenant_a):
    from tenants.lifecycle import tenant_reactivate, tenant_suspend

    assert client_a.get("/").status_code == 200  # the route is kept now
    tenant_suspend(tenant=tenant_a, actor="uji", reason="pemeliharaan")
    assert client_a.get("/").status_code == 503
    tenant_reactivate(tenant=tenant_a, actor="uji", reason="selesai")
    assert client_a.get("/").status_code == 200


def test_a_removed_domain_stops_routing_at_once(client_a, tenant_a):
    assert client_a.get("/").status_code == 200
    with schema_context("public"):
        Domain.objects.filter(tenant=tenant_a).delete()
    assert client_a.get("/").status_code == 404


def test_a_change_by_another_process_shows_after_the_ttl(client_a, tenant_a, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(routing.time, "monotonic", lambda: clock[0])
    assert client_a.get("/").status_code == 200
    # another process suspends the tenant: nothing here is told
    with schema_context("public"):
        Tenant.objects.filter(pk=tenant_a.pk).update(state=Tenant.State.SUSPENDED)
    clock[0] += 4.9
    assert client_a.get("/").status_code == 200  # still within the 5 s
    clock[0] += 0.2
    assert client_a.get("/").status_code == 503


def test_ttl_zero_looks_up_every_request(client_a, settings):
    settings.MPP_TENANT_ROUTING_CACHE_SECONDS = 0
    _response, first = _domain_lookups(client_a)
    _response, second = _domain_lookups(client_a)
    assert (first, second) == (1, 1)


def test_unknown_hosts_are_not_kept(db):
    from django.test import Client

    for index in range(20):
        assert Client(HTTP_HOST=f"acak-{index}.localhost").get("/").status_code == 404
    assert not any(host.startswith("acak-") for host in routing._routes)
