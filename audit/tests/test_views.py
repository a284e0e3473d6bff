"""The audit log pages: a tenant admin reads their tenant's rows only; the ministry reads
every tenant's and the platform's, with filters and pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent

TENANT_URL = "/kelola/audit/"
PLATFORM_URL = "/kementerian/audit/"


def _row(tenant, action: str, **fields) -> AuditEvent:
    with schema_context("public"):
        return AuditEvent.objects.create(
            tenant_schema=tenant.schema_name if tenant else "",
            tenant_id=tenant.pk if tenant else None,
            actor_label=fields.pop("actor_label", "cli:ops"), action=action, **fields,
        )


def _actions(response) -> list[str]:
    return [event.action for event in response.context["page"].object_list]


def _shown(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


@pytest.fixture
def rows(tenant_a, tenant_b):
    return {
        "a": _row(tenant_a, "staff_role.grant", target_repr="Petugas A"),
        "b": _row(tenant_b, "webhook.delete", target_repr="Penerima B"),
        "platform": _row(None, "api_token.create", target_repr="Dasbor"),
    }


@pytest.fixture
def ministry_client(platform_client, user_factory):
    platform_client.force_login(user_factory(ministry_role="viewer"))
    return platform_client


# --------------------------------------------------------------------------- tenant admins


def test_tenant_admin_sees_only_their_tenant(rows, tenant_b, client_b, staff_user):
    # given tenant B's admin
    client_b.force_login(staff_user(tenant_b))
    # when they open their audit log
    response = client_b.get(TENANT_URL)
    # then only tenant B's rows are listed (B's own, and the grant of its admin's role)
    assert response.status_code == 200
    shown = _shown(response)
    assert rows["b"] in shown and rows["a"] not in shown and rows["platform"] not in shown
    assert {e.tenant_schema for e in shown} == {tenant_b.schema_name}
    body = response.content.decode()
    assert "Penerima B" in body
    assert "Petugas A" not in body and "Dasbor" not in body


def test_tenant_admin_cannot_reach_another_tenant_by_filter(rows, tenant_a, tenant_b,
                                                            client_b, staff_user):
    # given tenant B's admin and a row of tenant A
    client_b.force_login(staff_user(tenant_b))
    with schema_context("public"):
        before = list(AuditEvent.objects.order_by("pk").values_list("pk", "tenant_schema"))
    # when they ask for tenant A's rows (the ministry's filter) and for A's action
    for query in ({"tenant": tenant_a.schema_name}, {"tenant": "-"},
                  {"action": "staff_role"}, {"actor": "cli:ops"}):
        response = client_b.get(TENANT_URL, query)
        # then tenant A's (and the platform's) rows never show
        assert response.status_code == 200
        assert {e.tenant_schema for e in _shown(response)} <= {tenant_b.schema_name}
        assert "Petugas A" not in response.content.decode()
    # and nothing changed
    with schema_context("public"):
        assert list(AuditEvent.objects.order_by("pk").values_list("pk", "tenant_schema")) == before


def test_tenant_page_needs_a_tenant_admin(rows, tenant_b, client_b, staff_user, user_factory,
                                         in_tenant):
    from agencies.models import Agency, StaffRole

    assert client_b.get(TENANT_URL).status_code == 302  # to the login page
    with in_tenant(tenant_b):
        agency = Agency.objects.create(code="dinas-b", name="Dinas B")
    client_b.force_login(staff_user(tenant_b, role=StaffRole.Role.OFFICER, agency=agency))
    assert client_b.get(TENANT_URL).status_code == 403
    client_b.force_login(user_factory())  # no role in tenant B
    assert client_b.get(TENANT_URL).status_code in {403, 404}


def test_tenant_page_is_not_on_the_platform_host(ministry_client):
    assert ministry_client.get(TENANT_URL).status_code == 404


# --------------------------------------------------------------------------- the ministry


def test_ministry_sees_every_tenant_and_the_platform(rows, ministry_client):
    response = ministry_client.get(PLATFORM_URL)
    assert response.status_code == 200
    assert set(_actions(response)) >= {"staff_role.grant", "webhook.delete", "api_token.create"}


def test_ministry_filters(rows, tenant_a, ministry_client):
    first = min(row.pk for row in rows.values())

    def actions(**query):  # of this test's rows (other tests may have left rows behind)
        response = ministry_client.get(PLATFORM_URL, query)
        assert response.status_code == 200
        return {e.action for e in _shown(response) if e.pk >= first}

    assert actions(tenant=tenant_a.schema_name) == {"staff_role.grant"}
    assert actions(tenant="-") >= {"api_token.create"}
    assert "staff_role.grant" not in actions(tenant="-")
    assert actions(action="webhook") == {"webhook.delete"}
    today = timezone.localdate()
    assert actions(**{"from": (today + timedelta(days=1)).isoformat()}) == set()
    assert {"staff_role.grant", "webhook.delete"} <= actions(
        **{"from": today.isoformat(), "to": today.isoformat()}
    )
    assert actions(**{"from": "bukan-tanggal", "to": "9999-12-31"}) >= {"webhook.delete"}


def test_ministry_filters_by_actor(tenant_a, ministry_client, user_factory):
    officer = user_factory(email="pelaku@example.go.id")
    _row(tenant_a, "agency.create", actor=officer, actor_label=f"user:{officer.pk}")
    _row(tenant_a, "agency.create", actor_label="task:uji.audit_actor")
    for text in ("pelaku@example.go.id", f"user:{officer.pk}", str(officer.pk)):
        response = ministry_client.get(PLATFORM_URL, {"actor": text})
        assert [e.actor_id for e in _shown(response)] == [officer.pk]
    response = ministry_client.get(PLATFORM_URL, {"actor": "uji.audit_actor"})
    assert [e.actor_label for e in _shown(response)] == ["task:uji.audit_actor"]


def test_ministry_pages_keep_the_filters(tenant_a, ministry_client):
    from audit.views import PAGE_SIZE

    for n in range(PAGE_SIZE + 3):
        _row(tenant_a, "uji.counter.save", target_id=str(n))
    first = ministry_client.get(PLATFORM_URL, {"action": "uji.counter"})
    assert first.context["page"].paginator.num_pages == 2
    assert "action=uji.counter&amp;page=2" in first.content.decode()
    second = ministry_client.get(PLATFORM_URL, {"action": "uji.counter", "page": 2})
    assert len(second.context["page"].object_list) == 3
    assert set(_actions(second)) == {"uji.counter.save"}


def test_platform_page_needs_the_ministry(rows, platform_client, user_factory, client_a):
    assert platform_client.get(PLATFORM_URL).status_code == 302
    platform_client.force_login(user_factory())
    assert platform_client.get(PLATFORM_URL).status_code == 403
    assert client_a.get(PLATFORM_URL).status_code == 404  # not on a tenant host
