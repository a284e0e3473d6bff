"""Writes of the services app: adopting catalogue versions into offerings and editing them.

Rules:
* only a **published** catalogue version can be adopted, once per service code;
* channel ``external`` needs the OPD application's URL;
* a local fee is refused where the law forbids fees (adminduk: UU 24/2013 Pasal 79A) and
  otherwise needs a regional legal basis;
* local requirements carry a justification (missing ones are flagged as drift, not refused);
* publishing a new catalogue version never changes an offering: the tenant admin adopts it
  with :func:`offering_adopt_version`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from audit.services import audit_record, diff, snapshot
from catalog.models import ServiceVersion
from sla.models import SlaPolicy
from sla.services import sla_policy_create_default, sla_policy_update

from .errors import (
    AlreadyAdopted,
    FeeForbidden,
    InvalidAnnouncement,
    InvalidOffering,
    VersionNotPublished,
)
from .models import Announcement, Offering, offering_field_errors
from .portal_cache import portal_generation_bump

logger = logging.getLogger(__name__)

_UNSET: Any = object()
# What the audit log shows of an offering (requirements as their codes).
AUDIT_FIELDS = (
    "agency", "channel", "external_url", "local_fee_amount", "local_fee_basis", "is_enabled",
)


def _audit_view(offering: Offering) -> dict[str, Any]:
    return {
        **snapshot(offering, AUDIT_FIELDS),
        "version": offering.service_version.number,
        "local_requirements": sorted(
            str(item.get("code", "")) for item in offering.local_requirements or []
            if isinstance(item, dict)
        ),
    }


def _validate(offering: Offering) -> None:
    errors = offering_field_errors(offering)
    if "local_fee_amount" in errors and offering.fee_forbidden:
        raise FeeForbidden(
            errors, extra={"legal_basis": offering.service_version.fee_basis or "UU 24/2013 Pasal 79A"}
        )
    if errors:
        raise InvalidOffering(errors)
    try:
        offering.full_clean(exclude=["service_version", "agency", "adopted_by"])
    except ValidationError as exc:
        raise InvalidOffering(exc.message_dict) from exc


def _ensure_published(version: ServiceVersion) -> None:
    if version.status != ServiceVersion.Status.PUBLISHED:
        raise VersionNotPublished(
            {"service_version": [
                _("Hanya versi layanan yang sudah diterbitkan yang dapat diadopsi.")
            ]}
        )


def _clean_requirements(items: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    result = []
    for item in items or []:
        if not isinstance(item, dict):
            result.append(item)
            continue
        result.append({
            "code": str(item.get("code", "")).strip(),
            "label": str(item.get("label", "")).strip(),
            "kind": item.get("kind", "document"),
            "required": item.get("required", True),
            "justification": str(item.get("justification", "") or "").strip(),
        })
    return result


@transaction.atomic
def offering_adopt(
    *,
    service_version: ServiceVersion,
    agency: Agency,
    channel: str,
    actor: AbstractBaseUser | None,
    external_url: str = "",
    local_requirements: Sequence[dict[str, Any]] | None = None,
    local_fee_amount: int = 0,
    local_fee_basis: str = "",
    is_enabled: bool = True,
) -> Offering:
    """Adopt a published catalogue version; the SLA policy starts at its jangka waktu."""
    _ensure_published(service_version)
    code = service_version.service.code
    if Offering.objects.filter(service_code=code).exists():
        raise AlreadyAdopted(
            _("Layanan %(code)s sudah diadopsi; ubah layanan yang ada.") % {"code": code},
            extra={"field": "service_version"},
        )
    offering = Offering(
        service_version=service_version, service_code=code, agency=agency, channel=channel,
        external_url=external_url.strip(),
        local_requirements=_clean_requirements(local_requirements),
        local_fee_amount=local_fee_amount or 0, local_fee_basis=(local_fee_basis or "").strip(),
        is_enabled=is_enabled, adopted_at=timezone.now(), adopted_by_id=getattr(actor, "pk", None),
    )
    _validate(offering)
    try:
        with transaction.atomic():
            offering.save()
    except IntegrityError as exc:  # a concurrent adoption of the same service
        raise AlreadyAdopted(
            _("Layanan %(code)s sudah diadopsi; ubah layanan yang ada.") % {"code": code},
            extra={"field": "service_version"},
        ) from exc
    sla_policy_create_default(offering=offering)
    audit_record("offering.adopt", actor=actor, target=offering, changes=_audit_view(offering))
    logger.info("offering %s adopted (v%s) by %s", code, service_version.number,
                getattr(actor, "pk", None))
    return offering


@transaction.atomic
def offering_update(
    *,
    offering: Offering,
    actor: AbstractBaseUser | None,
    agency: Agency = _UNSET,
    channel: str = _UNSET,
    external_url: str = _UNSET,
    local_requirements: Sequence[dict[str, Any]] = _UNSET,
    local_fee_amount: int = _UNSET,
    local_fee_basis: str = _UNSET,
) -> Offering:
    """Change what the tenant decides about an offering (omitted arguments stay as they are).

    Raises :class:`~services.errors.FeeForbidden` (adminduk fee), or
    :class:`~services.errors.InvalidOffering` with field errors; nothing is saved then.
    """
    offering = Offering.objects.select_for_update().select_related(
        "service_version__service__category", "agency"
    ).get(pk=offering.pk)
    before = _audit_view(offering)
    if agency is not _UNSET:
        offering.agency = agency
    if channel is not _UNSET:
        offering.channel = channel
    if external_url is not _UNSET:
        offering.external_url = (external_url or "").strip()
    if local_requirements is not _UNSET:
        offering.local_requirements = _clean_requirements(local_requirements)
    if local_fee_amount is not _UNSET:
        offering.local_fee_amount = local_fee_amount or 0
    if local_fee_basis is not _UNSET:
        offering.local_fee_basis = (local_fee_basis or "").strip()
    _validate(offering)
    offering.save()
    changes = diff(before, _audit_view(offering))
    if changes:
        audit_record("offering.update", actor=actor, target=offering, changes=changes)
    return offering


@transaction.atomic
def offering_adopt_version(
    *, offering: Offering, service_version: ServiceVersion, actor: AbstractBaseUser | None
) -> Offering:
    """Explicitly move an offering to a newer published version of the same service.

    The SLA target follows the new national standard when the tenant had kept the old
    standard; a customised target is kept (and flagged as drift if now longer). A local fee
    that the new version forbids, or a local requirement code that the new version now
    uses, refuses the adoption with a field error: fix the offering first.
    """
    offering = Offering.objects.select_for_update().select_related(
        "service_version__service", "agency"
    ).get(pk=offering.pk)
    _ensure_published(service_version)
    old = offering.service_version
    if service_version.service_id != old.service_id:
        raise InvalidOffering(
            {"service_version": [_("Versi itu milik layanan lain.")]}
        )
    if service_version.number <= old.number:
        raise InvalidOffering(
            {"service_version": [
                _("Versi %(new)s tidak lebih baru dari versi yang dipakai (%(old)s).")
                % {"new": service_version.number, "old": old.number}
            ]}
        )
    offering.version_history = [
        *offering.version_history,
        {
            "number": old.number,
            "adopted_at": offering.adopted_at.isoformat(),
            "adopted_by_id": offering.adopted_by_id,
        },
    ]
    offering.service_version = service_version
    offering.adopted_at = timezone.now()
    offering.adopted_by_id = getattr(actor, "pk", None)
    _validate(offering)
    offering.save()
    audit_record("offering.adopt_version", actor=actor, target=offering,
                 changes={"version": [old.number, service_version.number]})
    policy = SlaPolicy.objects.filter(offering=offering).first()
    if policy is None:
        sla_policy_create_default(offering=offering)
    elif (policy.target_value, policy.target_unit) == (old.sla_value, old.sla_unit):
        sla_policy_update(
            offering=offering, actor=actor,
            target_value=service_version.sla_value, target_unit=service_version.sla_unit,
        )
    logger.info("offering %s moved v%s -> v%s by %s", offering.service_code, old.number,
                service_version.number, getattr(actor, "pk", None))
    return offering


@transaction.atomic
def offering_set_enabled(
    *, offering: Offering, is_enabled: bool, actor: AbstractBaseUser | None
) -> Offering:
    """Show (or hide) the offering on the portal; disabled offerings take no new requests."""
    was_enabled = (
        Offering.objects.select_for_update().filter(pk=offering.pk)
        .values_list("is_enabled", flat=True).first()
    )
    updated = Offering.objects.filter(pk=offering.pk).update(
        is_enabled=is_enabled, updated_at=timezone.now()
    )
    if not updated:
        raise InvalidOffering({"service_code": [_("Layanan tidak ditemukan.")]})
    if was_enabled != is_enabled:
        audit_record("offering.set_enabled", actor=actor, target=offering,
                     changes={"is_enabled": [was_enabled, is_enabled]})
    portal_generation_bump()  # .update() sends no post_save
    offering.is_enabled = is_enabled
    return offering


# --------------------------------------------------------------------------- announcements

ANNOUNCEMENT_FIELDS = ("title", "body", "link_url", "is_published", "starts_on", "ends_on")


def _announcement_check(announcement: Announcement) -> None:
    errors: dict[str, list[str]] = {}
    if not announcement.title.strip():
        errors["title"] = [_("Judul pengumuman wajib diisi.")]
    if not announcement.body.strip():
        errors["body"] = [_("Isi pengumuman wajib diisi.")]
    if (
        announcement.starts_on and announcement.ends_on
        and announcement.ends_on < announcement.starts_on
    ):
        errors["ends_on"] = [_("Tanggal akhir tidak boleh sebelum tanggal mulai.")]
    if not errors:
        try:
            announcement.full_clean(exclude=["created_by"])
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        raise InvalidAnnouncement(errors)


def _announcement_apply(announcement: Announcement, values: dict[str, Any]) -> None:
    for name in ANNOUNCEMENT_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in ("title", "body", "link_url"):
            value = (value or "").strip()
        elif name == "is_published":
            value = bool(value)
        setattr(announcement, name, value)


@transaction.atomic
def announcement_create(
    *,
    actor: AbstractBaseUser | None,
    title: str,
    body: str,
    link_url: str = "",
    is_published: bool = False,
    starts_on: Any = None,
    ends_on: Any = None,
) -> Announcement:
    """A new portal announcement (shown on the home once published)."""
    announcement = Announcement(created_by_id=getattr(actor, "pk", None))
    _announcement_apply(announcement, {
        "title": title, "body": body, "link_url": link_url, "is_published": is_published,
        "starts_on": starts_on, "ends_on": ends_on,
    })
    _announcement_check(announcement)
    announcement.save()
    audit_record("announcement.create", actor=actor, target=announcement,
                 changes=snapshot(announcement, ("is_published", "starts_on", "ends_on")))
    portal_generation_bump()
    return announcement


@transaction.atomic
def announcement_update(
    *, announcement: Announcement, actor: AbstractBaseUser | None, **values: Any
) -> Announcement:
    """Change an announcement (keys of ``values``: ANNOUNCEMENT_FIELDS; others are refused)."""
    unknown = set(values) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown announcement fields: {sorted(unknown)}")
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    before = snapshot(announcement, ANNOUNCEMENT_FIELDS)
    _announcement_apply(announcement, values)
    _announcement_check(announcement)
    announcement.save()
    changes = diff(before, snapshot(announcement, ANNOUNCEMENT_FIELDS))
    if changes:
        # the texts themselves stay out of the log: only that they changed
        for name in ("title", "body"):
            if name in changes:
                changes[name] = ["…", "…"]
        audit_record("announcement.update", actor=actor, target=announcement, changes=changes)
    portal_generation_bump()
    return announcement


@transaction.atomic
def announcement_delete(*, announcement: Announcement, actor: AbstractBaseUser | None) -> None:
    target_id, title = announcement.pk, announcement.title
    deleted, _rows = Announcement.objects.filter(pk=target_id).delete()
    if deleted:
        audit_record("announcement.delete", actor=actor, target_type="services.announcement",
                     target_id=target_id, target_repr=title)
        portal_generation_bump()
