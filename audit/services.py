"""Write audit rows: `audit_record(...)`, called by the services that change
security-relevant state, inside their transaction (docs/adr/0007).

    from audit.services import audit_record

    audit_record("staff_role.grant", actor=actor, target=staff_role,
                 changes={"role": [None, "officer"]})

The tenant is the connection's schema unless `tenant=` names one (operator actions on the
public schema). The address and request id come from `audit.context`. Every row is also
written as one JSON line on the `mpp.audit` logger (`log=False` for callers with their own).
Never put secrets, NIKs or contacts in `changes`: ids, names of things, flags and counts."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model

from .context import current_ip, current_label, current_request_id, current_user
from .models import AuditEvent

audit_logger = logging.getLogger("mpp.audit")

PUBLIC_SCHEMA = "public"
ANONYMOUS_LABEL = "anonymous"


def _actor(actor: Any) -> tuple[int | None, str]:
    """(user id, label) of whoever acts. A user → `user:<id>`; a string (`cli:…`, `task:…`)
    is the label; a user-less actor object (e.g. an OPD system) → its text; none → the
    request's user, else the task/command label, else `system`. An anonymous user is
    `anonymous`."""
    if isinstance(actor, str):
        return None, actor[:100] or current_label()
    if isinstance(actor, AnonymousUser):
        return None, ANONYMOUS_LABEL
    if isinstance(actor, AbstractBaseUser):
        if actor.pk is not None:
            return actor.pk, f"user:{actor.pk}"
        actor = None  # an unsaved user: never its text (a name or an email)
    if actor is not None:
        return None, (str(actor) or current_label())[:100]
    user = current_user()
    if user is not None:
        return user.pk, f"user:{user.pk}"
    return None, current_label()


def _tenant(tenant: Any) -> tuple[str, int | None]:
    if tenant is not None:
        if tenant.schema_name == PUBLIC_SCHEMA:
            return "", None
        return tenant.schema_name, tenant.pk
    schema = connection.schema_name
    if not schema or schema == PUBLIC_SCHEMA:
        return "", None
    tenant_id = getattr(getattr(connection, "tenant", None), "pk", None)
    if tenant_id is None:  # schema_context() sets a FakeTenant without a pk
        from tenants.models import Tenant

        tenant_id = Tenant.objects.filter(schema_name=schema).values_list("pk", flat=True).first()
    return schema, tenant_id


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of `obj` (foreign keys as `<name>_id`), for :func:`diff`."""
    values = {}
    for name in fields:
        value = getattr(obj, name, None)
        values[name] = value.pk if isinstance(value, Model) else value
    return _jsonable(values)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed."""
    before, after = _jsonable(dict(before)), _jsonable(dict(after))
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    target_type: str = "",
    target_id: Any = None,
    target_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    outcome: str = AuditEvent.Outcome.OK,
    tenant: Any = None,
    log: bool = True,
) -> AuditEvent:
    """Write one audit row in the caller's transaction (and one `mpp.audit` log line)."""
    if target is not None and isinstance(target, Model):
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        target_repr = target_repr or str(target)
    actor_id, label = _actor(actor)
    schema, tenant_id = _tenant(tenant)
    event = AuditEvent.objects.create(
        tenant_schema=schema, tenant_id=tenant_id, actor_id=actor_id, actor_label=label,
        action=action[:64], target_type=target_type[:64],
        target_id="" if target_id is None else str(target_id)[:64],
        target_repr=target_repr[:200], changes=_jsonable(dict(changes or {})),
        outcome=outcome, ip=current_ip(), request_id=current_request_id(),
    )
    if log:
        line = {
            "action": event.action, "tenant": schema or PUBLIC_SCHEMA, "tenant_id": tenant_id,
            "actor": label, "outcome": outcome, "at": event.at.isoformat(),
            "target_type": event.target_type, "target_id": event.target_id, "ip": event.ip,
            **event.changes,
        }
        audit_logger.info("audit %s", json.dumps(line, ensure_ascii=False, default=str))
    return event
