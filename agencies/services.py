from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.errors import Conflict

from .models import Agency, StaffRole


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
    return agency


@transaction.atomic
def staff_role_grant(
    *, user: AbstractBaseUser, role: str, agency: Agency | None = None,
    actor: AbstractBaseUser | None = None,
) -> StaffRole:
    staff_role, _created = StaffRole.objects.get_or_create(
        user_id=user.pk, agency=agency, role=role, defaults={"is_active": True}
    )
    if not staff_role.is_active:
        staff_role.is_active = True
        staff_role.save(update_fields=["is_active"])
    return staff_role
