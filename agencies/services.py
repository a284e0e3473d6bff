from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import Conflict

from .models import Agency, AgencyKindMapping, StaffRole


@transaction.atomic
def agency_create(
    *, name: str, short_name: str = "", code: str = "", email: str = "", phone: str = "",
    actor: AbstractBaseUser | None = None,
) -> Agency:
    code = slugify(code or short_name or name)[:30]
    if Agency.objects.filter(code=code).exists():
        raise Conflict(
            _("OPD dengan kode %(code)s sudah ada.") % {"code": code}, extra={"field": "code"}
        )
    agency = Agency(code=code, name=name, short_name=short_name, email=email, phone=phone)
    agency.full_clean()
    agency.save()
    audit_record("agency.create", actor=actor, target=agency,
                 changes={"code": agency.code, "name": agency.name})
    return agency


@transaction.atomic
def staff_role_grant(
    *, user: AbstractBaseUser, role: str, agency: Agency | None = None,
    actor: AbstractBaseUser | None = None,
) -> StaffRole:
    staff_role, created = StaffRole.objects.get_or_create(
        user_id=user.pk, agency=agency, role=role, defaults={"is_active": True}
    )
    reactivated = not created and not staff_role.is_active
    if reactivated:
        staff_role.is_active = True
        staff_role.save(update_fields=["is_active"])
    if created or reactivated:
        audit_record("staff_role.grant", actor=actor, target=staff_role, changes={
            "user_id": user.pk, "role": role, "agency_id": getattr(agency, "pk", None),
            "reactivated": reactivated,
        })
    return staff_role


@transaction.atomic
def agency_kind_map(
    *, kind: str, agency: Agency, actor: AbstractBaseUser | None = None
) -> AgencyKindMapping:
    """Map an OPD kind of the national workflows to one of this tenant's OPDs (audited)."""
    from catalog.workflow import AGENCY_KINDS

    if kind not in AGENCY_KINDS:
        raise Conflict(
            _("Jenis OPD %(kind)s tidak dikenal.") % {"kind": kind}, extra={"field": "kind"}
        )
    if not agency.is_active:
        raise Conflict(_("OPD yang tidak aktif tidak dapat dipetakan."),
                       extra={"field": "agency"})
    mapping = AgencyKindMapping.objects.select_for_update().filter(kind=kind).first()
    before = mapping.agency_id if mapping else None
    if mapping is None:
        mapping = AgencyKindMapping.objects.create(kind=kind, agency=agency)
    elif mapping.agency_id != agency.pk:
        mapping.agency = agency
        mapping.save(update_fields=["agency", "updated_at"])
    if before != agency.pk:
        audit_record("agency_kind.map", actor=actor, target=mapping,
                     changes={"kind": kind, "agency_id": [before, agency.pk]})
    return mapping
