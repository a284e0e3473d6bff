"""Writes of the sla app: calendar versions and SLA policies.

Change notification (for the applications app)
==============================================
After a committed change of the work calendar or of an offering's SLA policy, every app
that provides a module ``<app>.sla_hooks`` with a callable ``on_sla_rules_changed`` is
called (via ``core.discovery.collect``), in the schema of the tenant that changed, from
``transaction.on_commit``::

    # applications/sla_hooks.py
    def on_sla_rules_changed(*, reason: str, offering_id: int | None) -> None:
        ...  # e.g. enqueue a task that recomputes open applications' deadlines

``reason`` is ``"calendar_changed"`` (``offering_id=None``: every offering is affected)
or ``"policy_changed"`` (``offering_id`` set). Keep hooks fast (enqueue a Celery task with
ids). Deadlines already set stay bound to their stored calendar version; the hook decides
whether open applications move to the new rules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from core.discovery import collect

from .errors import InvalidCalendar, InvalidPolicy
from .models import (
    DEFAULT_WINDOWS,
    DEFAULT_WORKING_DAYS,
    CalendarVersion,
    SlaPolicy,
    TargetUnit,
    calendar_field_errors,
    policy_field_errors,
)

if TYPE_CHECKING:
    from services.models import Offering

logger = logging.getLogger(__name__)

REASON_CALENDAR_CHANGED = "calendar_changed"
REASON_POLICY_CHANGED = "policy_changed"

CALENDAR_FIELDS = ("timezone", "working_days", "windows", "include_cuti_bersama", "local_holidays")
POLICY_FIELDS = ("target_value", "target_unit", "at_risk_threshold", "deemed_approval")


def _notify(*, reason: str, offering_id: int | None) -> None:
    def run() -> None:
        for hook in collect("sla_hooks", "on_sla_rules_changed"):
            try:
                hook(reason=reason, offering_id=offering_id)
            except Exception:  # a subscriber's bug must not break the admin's change
                logger.exception("sla hook %r failed (%s, offering %s)", hook, reason, offering_id)

    transaction.on_commit(run)


# --------------------------------------------------------------------------- calendar


def _normalise_windows(windows: Any) -> Any:
    if not isinstance(windows, Mapping):
        return windows
    return {
        str(day): [list(w) if isinstance(w, list | tuple) else w for w in value]
        if isinstance(value, list | tuple) else value
        for day, value in windows.items()
    }


def _normalise_local_holidays(items: Any) -> Any:
    if not isinstance(items, list | tuple):
        return items
    result = []
    for item in items:
        if isinstance(item, Mapping) and set(item) == {"date", "name"}:
            day = item["date"]
            result.append({
                "date": day.isoformat() if isinstance(day, date) else str(day),
                "name": item["name"].strip() if isinstance(item["name"], str) else item["name"],
            })
        else:
            result.append(item)
    return sorted(result, key=lambda h: str(h.get("date", "")) if isinstance(h, dict) else "")


@transaction.atomic
def calendar_ensure_initial(*, timezone_name: str = "Asia/Jakarta") -> CalendarVersion:
    """Version 1 with the defaults (idempotent): Mon–Thu 08:00–12:00 + 13:00–16:00, Friday
    08:00–11:30 + 13:30–16:30, cuti bersama counted as holidays."""
    existing = CalendarVersion.objects.order_by("-version").first()
    if existing is not None:
        return existing
    version = CalendarVersion(
        version=1, timezone=timezone_name or "Asia/Jakarta",
        working_days=list(DEFAULT_WORKING_DAYS),
        windows={day: [list(w) for w in ws] for day, ws in DEFAULT_WINDOWS.items()},
        include_cuti_bersama=True, local_holidays=[],
        note=_("Kalender awal"),
    )
    version.full_clean()
    version.save()
    return version


def calendar_update(*, actor: AbstractBaseUser | None, note: str = "", **changes: Any) -> CalendarVersion:
    """Create the next calendar version from the current one plus ``changes``.

    ``changes``: any of ``timezone``, ``working_days`` (list of 0–6, Monday = 0),
    ``windows`` (``{"0": [["08:00", "12:00"], ...], ...}``), ``include_cuti_bersama``,
    ``local_holidays`` (``[{"date": "2026-09-25", "name": "..."}]``). Invalid input raises
    :class:`~sla.errors.InvalidCalendar` with field errors (keys as in
    ``sla.models.calendar_field_errors``); nothing is saved. An identical calendar creates
    no new version (the current one is returned).
    """
    unknown = set(changes) - set(CALENDAR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown calendar fields: {sorted(unknown)}")
    from .selectors import calendar_current

    with transaction.atomic():
        current = calendar_current()
        # Serialise concurrent editors: lock the newest row, then re-read.
        current = CalendarVersion.objects.select_for_update().get(pk=current.pk)
        values = {name: getattr(current, name) for name in CALENDAR_FIELDS}
        values.update(changes)
        values["windows"] = _normalise_windows(values["windows"])
        values["local_holidays"] = _normalise_local_holidays(values["local_holidays"])
        days = values["working_days"]
        if isinstance(days, list | tuple) and all(
            isinstance(d, int) and not isinstance(d, bool) for d in days
        ):
            values["working_days"] = sorted(set(days))
        errors = calendar_field_errors(
            timezone=values["timezone"], working_days=values["working_days"],
            windows=values["windows"], local_holidays=values["local_holidays"],
        )
        if not isinstance(values["include_cuti_bersama"], bool):
            errors["include_cuti_bersama"] = [_("Pilih ya atau tidak.")]
        if len(note) > 200:
            errors["note"] = [_("Catatan paling banyak 200 karakter.")]
        if errors:
            raise InvalidCalendar(errors)
        # Keep only the windows of working days: the row says exactly what is in force.
        values["windows"] = {
            str(day): values["windows"][str(day)] for day in values["working_days"]
        }
        if all(values[name] == getattr(current, name) for name in CALENDAR_FIELDS):
            return current
        new = CalendarVersion(
            version=current.version + 1, note=note.strip(),
            created_by_id=getattr(actor, "pk", None), **values,
        )
        new.full_clean()
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError as exc:  # another editor won the race despite the lock
            raise InvalidCalendar(
                {"version": [_("Kalender baru saja diubah orang lain; muat ulang halaman.")]}
            ) from exc
        audit_record(
            "sla_calendar.update", actor=actor, target=new,
            changes={"version": [current.version, new.version], "note": new.note,
                     **diff(snapshot(current, CALENDAR_FIELDS), snapshot(new, CALENDAR_FIELDS))},
        )
        _notify(reason=REASON_CALENDAR_CHANGED, offering_id=None)
        logger.info("calendar v%s created by %s", new.version, getattr(actor, "pk", None))
        return new


def calendar_holiday_add(
    *, actor: AbstractBaseUser | None, day: date, name: str
) -> CalendarVersion:
    from .selectors import calendar_current

    current = calendar_current()
    if any(item["date"] == day.isoformat() for item in current.local_holidays):
        raise InvalidCalendar(
            {"date": [_("Tanggal %(date)s sudah ada di daftar hari libur daerah.")
                      % {"date": day.strftime("%d-%m-%Y")}]}
        )
    if not name.strip():
        raise InvalidCalendar({"name": [_("Nama hari libur wajib diisi.")]})
    holidays = [*current.local_holidays, {"date": day.isoformat(), "name": name.strip()}]
    return calendar_update(
        actor=actor, local_holidays=holidays,
        note=_("Tambah libur daerah %(date)s %(name)s")
        % {"date": day.isoformat(), "name": name.strip()[:120]},
    )


def calendar_holiday_remove(*, actor: AbstractBaseUser | None, day: date) -> CalendarVersion:
    from .selectors import calendar_current

    current = calendar_current()
    holidays = [item for item in current.local_holidays if item["date"] != day.isoformat()]
    if len(holidays) == len(current.local_holidays):
        raise InvalidCalendar({"date": [_("Tanggal itu tidak ada di daftar hari libur daerah.")]})
    return calendar_update(
        actor=actor, local_holidays=holidays,
        note=_("Hapus libur daerah %(date)s") % {"date": day.isoformat()},
    )


# --------------------------------------------------------------------------- policies


def _threshold(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def sla_policy_create_default(*, offering: Offering) -> SlaPolicy:
    """The offering's policy = the catalogue version's jangka waktu (called on adoption)."""
    version = offering.service_version
    policy, _created = SlaPolicy.objects.get_or_create(
        offering=offering,
        defaults={"target_value": version.sla_value, "target_unit": str(version.sla_unit)},
    )
    return policy


@transaction.atomic
def sla_policy_update(
    *,
    offering: Offering,
    actor: AbstractBaseUser | None,
    target_value: int | None = None,
    target_unit: str | None = None,
    at_risk_threshold: Decimal | float | str | None = None,
    deemed_approval: bool | None = None,
) -> SlaPolicy:
    """Change an offering's SLA policy (``None`` = unchanged).

    Invalid input (target ≤ 0, unknown unit, threshold outside 0 < t < 100 %, …) raises
    :class:`~sla.errors.InvalidPolicy` with field errors; nothing is
    saved. Open applications are told through the ``sla_hooks`` (see module docstring).
    """
    policy = SlaPolicy.objects.select_for_update().filter(offering=offering).first()
    if policy is None:
        policy = sla_policy_create_default(offering=offering)
    given = {
        "target_value": target_value,
        "target_unit": target_unit,
        "at_risk_threshold": None if at_risk_threshold is None else _threshold(at_risk_threshold),
        "deemed_approval": deemed_approval,
    }
    values = {
        name: getattr(policy, name) if value is None else value for name, value in given.items()
    }
    errors = policy_field_errors(**values)
    if values["deemed_approval"] and offering.service_version.service.category \
            .deemed_approval_forbidden:
        errors["deemed_approval"] = [_(
            "Layanan administrasi kependudukan tidak dapat dianggap disetujui: dokumennya "
            "diterbitkan Disdukcapil melalui SIAK."
        )]
    if errors:
        raise InvalidPolicy(errors)
    if all(values[name] == getattr(policy, name) for name in POLICY_FIELDS):
        return policy
    before = snapshot(policy, POLICY_FIELDS)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.at_risk_threshold = Decimal(values["at_risk_threshold"]).quantize(Decimal("0.001"))
    policy.updated_by_id = getattr(actor, "pk", None)
    policy.full_clean(exclude=["offering"])
    policy.save()
    audit_record("sla_policy.update", actor=actor, target=policy, changes={
        "offering": offering.service_code, **diff(before, snapshot(policy, POLICY_FIELDS)),
    })
    _notify(reason=REASON_POLICY_CHANGED, offering_id=offering.pk)
    return policy


STEP_FIELD_PREFIX = "step_"


def _step_value(item: Any, unit: str) -> tuple[Any, Any]:
    if isinstance(item, Mapping):
        return item.get("value"), item.get("unit", unit)
    return item, unit


@transaction.atomic
def sla_policy_set_step_targets(
    *,
    offering: Offering,
    actor: AbstractBaseUser | None,
    targets: Mapping[str, Mapping[str, Any] | int | None],
) -> SlaPolicy:
    """Set how long each workflow step of ``offering`` may take in this tenant (issue 13).

    ``targets``: ``{step code: {"value": n, "unit": u}}`` (or just ``n``, in the step's unit);
    ``None`` follows the national maximum. It replaces the policy's step targets as a whole.
    A tenant may tighten a step, never exceed it: each step must be in the workflow of the
    adopted catalogue version, in the step's own unit, with 1 ≤ value ≤ the step's catalogue
    value. Only values below the maximum are stored. Invalid input raises
    :class:`~sla.errors.InvalidPolicy` with one message per step (key ``step_<code>``), e.g.
    'SLA langkah "Verifikasi teknis Dinkes" paling lama 3 hari kerja (batas nasional).';
    nothing is saved. Like the rest of the policy the row changes in place (audited
    ``sla_policy.step_targets`` with the actor and the old and new targets). Steps already
    open keep the target they opened with (the step row stores it); the next step opened
    uses the new one, so no deadline of an open application moves and no ``sla_hooks`` run.
    """
    from catalog.workflow import workflow_of

    from .selectors import sla_text

    policy = SlaPolicy.objects.select_for_update().filter(offering=offering).first()
    if policy is None:
        policy = sla_policy_create_default(offering=offering)
    steps = {step.code: step for step in workflow_of(offering.service_version).steps}
    errors: dict[str, list[str]] = {}
    wanted: dict[str, dict[str, Any]] = {}
    for code, item in targets.items():
        key = f"{STEP_FIELD_PREFIX}{code}"
        step = steps.get(code)
        if step is None:
            errors[key] = [_("Langkah \"%(code)s\" tidak ada di alur layanan %(service)s.")
                           % {"code": code, "service": offering.service_code}]
            continue
        if item is None:
            continue
        value, unit = _step_value(item, step.sla_unit)
        if unit != step.sla_unit:
            errors[key] = [
                _("Satuan SLA langkah \"%(step)s\" harus %(unit)s, sama dengan katalog "
                  "nasional.") % {"step": step.name, "unit": TargetUnit(step.sla_unit).label}
            ]
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors[key] = [_("SLA langkah \"%(step)s\" harus bilangan bulat paling sedikit 1.")
                           % {"step": step.name}]
        elif value > step.sla_value:
            errors[key] = [
                _("SLA langkah \"%(step)s\" paling lama %(max)s (batas nasional).")
                % {"step": step.name, "max": sla_text(step.sla_value, step.sla_unit)}
            ]
        elif value < step.sla_value:
            wanted[code] = {"value": value, "unit": unit}
    if errors:
        raise InvalidPolicy(errors)
    # In workflow order, so the stored JSON reads like the route.
    cleaned = {code: wanted[code] for code in steps if code in wanted}
    before = dict(policy.step_targets or {})
    if cleaned == before:
        return policy
    policy.step_targets = cleaned
    policy.updated_by_id = getattr(actor, "pk", None)
    policy.save(update_fields=["step_targets", "updated_by", "updated_at"])
    audit_record("sla_policy.step_targets", actor=actor, target=policy, changes={
        "offering": offering.service_code, "step_targets": [before, cleaned],
    })
    logger.info("step targets of %s set by %s: %s", offering.service_code,
                getattr(actor, "pk", None), cleaned)
    return policy


def sla_policy_reset_to_standard(
    *, offering: Offering, actor: AbstractBaseUser | None
) -> SlaPolicy:
    """Set the target back to the adopted catalogue version's jangka waktu."""
    version = offering.service_version
    return sla_policy_update(
        offering=offering, actor=actor,
        target_value=version.sla_value, target_unit=TargetUnit(version.sla_unit).value,
    )
