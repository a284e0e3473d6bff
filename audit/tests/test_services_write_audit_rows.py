"""Each service that changes security-relevant state writes exactly one audit row with the
actor, the action, the tenant and the client address, in the service's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from audit.models import AuditEvent

from .conftest import CLIENT_IP, World


def _grant(w: World) -> Any:
    from accounts.tests.factories import UserFactory
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant

    return staff_role_grant(user=UserFactory(), role=StaffRole.Role.OFFICER, agency=w.agency,
                            actor=w.admin)


def _agency(w: World) -> Any:
    from agencies.services import agency_create

    return agency_create(name="Dinas Baru", short_name="DB", actor=w.admin)


def _oidc_register(w: World) -> Any:
    from integrations.services import oidc_client_register

    return oidc_client_register(name="SIMPUS", agency=w.agency,
                                redirect_uris=["https://simpus.example.go.id/cb"],
                                allowed_scopes=["openid"], actor=w.admin)


def _oidc_update(w: World) -> Any:
    from integrations.services import oidc_client_update

    return oidc_client_update(client=w.client, allowed_scopes=["openid", "email"], actor=w.admin)


def _oidc_rotate(w: World) -> Any:
    from integrations.services import oidc_client_rotate_secrets

    return oidc_client_rotate_secrets(client=w.client, actor=w.admin)


def _oidc_delete(w: World) -> Any:
    from integrations.services import oidc_client_delete

    return oidc_client_delete(client=w.client, actor=w.admin)


def _webhook_create(w: World) -> Any:
    from integrations.services import webhook_endpoint_create

    return webhook_endpoint_create(name="Baru", url="http://127.0.0.1:9/baru",
                                   events=["sla.breached"], actor=w.admin)


def _webhook_update(w: World) -> Any:
    from integrations.services import webhook_endpoint_update

    return webhook_endpoint_update(endpoint=w.endpoint, is_active=False, actor=w.admin)


def _webhook_delete(w: World) -> Any:
    from integrations.services import webhook_endpoint_delete

    return webhook_endpoint_delete(endpoint=w.endpoint, actor=w.admin)


def _webhook_ping(w: World) -> Any:
    from integrations.services import webhook_ping

    return webhook_ping(endpoint=w.endpoint, actor=w.admin)


def _calendar(w: World) -> Any:
    from sla.services import calendar_update

    return calendar_update(actor=w.admin, include_cuti_bersama=False, note="uji")


def _holiday(w: World) -> Any:
    from sla.services import calendar_holiday_add

    return calendar_holiday_add(actor=w.admin, day=date(2031, 3, 3), name="Hari jadi kota")


def _policy(w: World) -> Any:
    from sla.services import sla_policy_update

    return sla_policy_update(offering=w.offering, actor=w.admin, target_value=7)


def _offering_adopt(w: World) -> Any:
    from services.services import offering_adopt
    from services.tests.factories import service_version

    version = service_version(code="T-AUD2", category_code="IZN", name="Izin Uji Dua")
    return offering_adopt(service_version=version, agency=w.agency, channel="online",
                          actor=w.admin)


def _offering_update(w: World) -> Any:
    from services.services import offering_update

    return offering_update(offering=w.offering, channel="counter", actor=w.admin)


def _offering_enable(w: World) -> Any:
    from services.services import offering_set_enabled

    return offering_set_enabled(offering=w.offering, is_enabled=False, actor=w.admin)


def _offering_version(w: World) -> Any:
    from services.services import offering_adopt_version
    from services.tests.factories import service_version

    newer = service_version(code="T-AUD", category_code="IZN", name="Izin Uji Audit", number=2)
    return offering_adopt_version(offering=w.offering, service_version=newer, actor=w.admin)


def _counter(w: World) -> Any:
    from hall.services import counter_save

    return counter_save(actor=w.admin, code="L9", name="Loket 9", services=["T-AUD"])


def _feedback_settings(w: World) -> Any:
    from feedback.services import feedback_settings_update

    return feedback_settings_update(actor=w.admin, verify_days=2, respond_days=5,
                                    close_days=7, auto_complaint_on_breach=True)


def _invitation(w: World) -> Any:
    from agencies.models import StaffRole
    from onboarding.services import invitation_create

    return invitation_create(tenant=w.tenant, email="petugas.baru@example.go.id",
                             role=StaffRole.Role.OFFICER, agency=w.agency, actor=w.admin)


TENANT_CASES: list[tuple[str, Callable[[World], Any]]] = [
    ("staff_role.grant", _grant),
    ("agency.create", _agency),
    ("oidc_client.register", _oidc_register),
    ("oidc_client.update", _oidc_update),
    ("oidc_client.rotate_secrets", _oidc_rotate),
    ("oidc_client.delete", _oidc_delete),
    ("webhook.create", _webhook_create),
    ("webhook.update", _webhook_update),
    ("webhook.delete", _webhook_delete),
    ("webhook.ping", _webhook_ping),
    ("sla_calendar.update", _calendar),
    ("sla_calendar.update", _holiday),
    ("sla_policy.update", _policy),
    ("offering.adopt", _offering_adopt),
    ("offering.update", _offering_update),
    ("offering.set_enabled", _offering_enable),
    ("offering.adopt_version", _offering_version),
    ("counter.save", _counter),
    ("feedback_settings.update", _feedback_settings),
    ("staff_invitation.create", _invitation),
]


def _new_events(since: int) -> list[AuditEvent]:
    with schema_context("public"):
        return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def _last_id() -> int:
    with schema_context("public"):
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


@pytest.mark.parametrize(("action", "call"), TENANT_CASES, ids=[c[1].__name__ for c in TENANT_CASES])
def test_tenant_service_writes_one_audit_row(world, in_tenant, request_from_ip, action, call):
    # given tenant A's admin acting from CLIENT_IP
    since = _last_id()
    # when the service runs
    with in_tenant(world.tenant), request_from_ip(world.admin):
        call(world)
    # then one row says who, what, where and from which address
    [event] = _new_events(since)
    assert event.action == action
    assert event.actor_id == world.admin.pk
    assert event.actor_label == f"user:{world.admin.pk}"
    assert event.tenant_schema == world.tenant.schema_name
    assert event.tenant_id == world.tenant.pk
    assert event.ip == CLIENT_IP
    assert event.request_id == "req-audit-1"
    assert event.outcome == AuditEvent.Outcome.OK


def test_grant_row_names_the_role_and_the_person(world, in_tenant, request_from_ip):
    since = _last_id()
    with in_tenant(world.tenant), request_from_ip(world.admin):
        role = _grant(world)
    [event] = _new_events(since)
    assert event.target_type == "agencies.staffrole"
    assert event.target_id == str(role.pk)
    assert event.changes["user_id"] == role.user_id
    assert event.changes["role"] == "officer"


def test_rotation_row_holds_no_secret(world, in_tenant, request_from_ip):
    since = _last_id()
    with in_tenant(world.tenant), request_from_ip(world.admin):
        secrets = _oidc_rotate(world)
    [event] = _new_events(since)
    text = str(event.changes) + event.target_repr
    assert secrets.client_secret not in text
    assert secrets.signing_secret not in text


def test_the_row_rolls_back_with_the_change(world, in_tenant, request_from_ip):
    # given a grant inside a transaction that fails afterwards
    since = _last_id()

    def grant_then_fail() -> None:
        with transaction.atomic():
            _grant(world)
            raise RuntimeError

    with in_tenant(world.tenant), request_from_ip(world.admin), pytest.raises(RuntimeError):
        grant_then_fail()
    # then neither the role nor the audit row exist
    assert _new_events(since) == []


def test_request_user_is_the_actor_when_none_is_passed(world, in_tenant, request_from_ip):
    from agencies.services import agency_create

    since = _last_id()
    with in_tenant(world.tenant), request_from_ip(world.admin):
        agency_create(name="Dinas Tanpa Aktor", short_name="DTA")
    [event] = _new_events(since)
    assert event.actor_id == world.admin.pk


def test_writes_without_a_request_name_the_task_or_command(world, in_tenant):
    from agencies.services import agency_create
    from audit.context import acting_as

    since = _last_id()
    with in_tenant(world.tenant), acting_as("task:onboarding.seed"):
        agency_create(name="Dinas Dari Tugas", short_name="DDT")
    with in_tenant(world.tenant):
        agency_create(name="Dinas Sistem", short_name="DS")
    task_row, system_row = _new_events(since)
    assert (task_row.actor_id, task_row.actor_label, task_row.ip) == (
        None, "task:onboarding.seed", None,
    )
    assert system_row.actor_label == "system"


def test_celery_task_label(world, in_tenant):
    from audit.context import _task_finished, _task_started, current_label

    class FakeTask:
        name = "sla.sweep_tenant"

    _task_started(task_id="t1", task=FakeTask())
    try:
        assert current_label() == "task:sla.sweep_tenant"
    finally:
        _task_finished(task_id="t1")
    assert current_label() == "system"


def test_command_label(monkeypatch):
    from audit.context import current_label

    monkeypatch.setattr("sys.argv", ["manage.py", "suspend_tenant", "--region-code", "32.73"])
    assert current_label() == "cli:suspend_tenant"


# --------------------------------------------------------------------------- platform


def test_api_token_create_and_revoke(db, user_factory, request_from_ip):
    from api.services import api_token_create, api_token_revoke

    operator = user_factory(is_staff=True)
    since = _last_id()
    with request_from_ip(operator):
        token, secret = api_token_create(name="Dashboard", scopes=["monitoring:read"],
                                         actor=operator)
        api_token_revoke(token=token, actor=operator)
        api_token_revoke(token=token, actor=operator)  # idempotent: no second row
    created, revoked = _new_events(since)
    assert (created.action, revoked.action) == ("api_token.create", "api_token.revoke")
    for event in (created, revoked):
        assert event.actor_id == operator.pk
        assert event.tenant_schema == ""
        assert event.ip == CLIENT_IP
        assert event.target_id == str(token.pk)
    assert secret not in str(created.changes)


def test_tenant_lifecycle_rows_name_the_tenant(tenant_b, request_from_ip, user_factory):
    from tenants.lifecycle import tenant_reactivate, tenant_suspend

    operator = user_factory(is_staff=True)
    since = _last_id()
    with request_from_ip(operator):
        tenant_suspend(tenant=tenant_b, actor=operator, reason="audit keamanan")
        tenant_reactivate(tenant=tenant_b, actor=operator, reason="selesai")
    suspended, reactivated = _new_events(since)
    assert (suspended.action, reactivated.action) == ("tenant.suspend", "tenant.reactivate")
    for event in (suspended, reactivated):
        assert event.tenant_schema == tenant_b.schema_name
        assert event.actor_id == operator.pk
        assert event.ip == CLIENT_IP
    assert suspended.changes["reason"] == "audit keamanan"
    assert suspended.changes["previous_state"] == "live"


def test_tenant_delete_refusal_is_recorded(tenant_b):
    from core.errors import Conflict
    from tenants.lifecycle import tenant_delete

    since = _last_id()
    with pytest.raises(Conflict):
        tenant_delete(tenant=tenant_b, actor="cli:ops", confirm=tenant_b.schema_name)
    [event] = _new_events(since)
    assert (event.action, event.outcome, event.actor_label) == (
        "tenant.delete", "refused", "cli:ops",
    )
