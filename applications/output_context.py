"""What an issued output document prints besides the application row: the signing official,
and for a Surat Izin Praktik the practice place, the STR and the profession.

The SIP details are read from the seeded SIP forms (catalog/seed/perizinan_kesehatan.yaml:
`nama_tempat_praktik`, `alamat_tempat_praktik`, `kecamatan_tempat_praktik`,
`desa_tempat_praktik`, `jenis_fasilitas`, `nomor_str`, `str_seumur_hidup`,
`str_berlaku_sampai`, `jenis_tenaga`, `spesialisasi`). A SIP is bound to one practice place
(PP 28/2024 Pasal 682 ayat 2), so the document names it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Signatory:
    name: str
    position: str
    agency: str
    on_behalf_of: str = ""  # "a.n. Kepala …" when the decider is not the OPD head


def _choice_label(version: Any, field_name: str, value: Any) -> str:
    for field in (getattr(version, "form_fields", None) or []):
        if field.get("name") == field_name:
            for choice in field.get("choices") or []:
                if str(choice.get("value")) == str(value):
                    return str(choice.get("label") or value)
    return str(value or "")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def str_valid_until(form: dict[str, Any]) -> dt.date | None:
    """The STR's end date when it is an old STR with a validity (None = valid for life)."""
    if form.get("str_seumur_hidup") == "tidak":
        return _date(form.get("str_berlaku_sampai"))
    return None


def _profession(version: Any, form: dict[str, Any]) -> str:
    if form.get("jenis_tenaga"):
        profession = _choice_label(version, "jenis_tenaga", form["jenis_tenaga"])
    else:  # "Surat Izin Praktik Perawat (SIPP)" → "Perawat"
        name = re.sub(r"\([^)]*\)", "", getattr(version, "name", "") or "")
        profession = re.sub(r"^\s*Surat Izin Praktik\s*", "", name).strip()
    speciality = str(form.get("spesialisasi") or "").strip()
    return f"{profession} ({speciality})" if profession and speciality else profession


def _region_names(form: dict[str, Any]) -> tuple[str, str]:
    from regions.models import District, Village

    district = District.objects.filter(code=form.get("kecamatan_tempat_praktik") or "").first()
    village = Village.objects.filter(code=form.get("desa_tempat_praktik") or "").first()
    return (village.name if village else "", district.name if district else "")


def sip_details(*, application: Any, version: Any) -> dict[str, Any]:
    form = application.form_data or {}
    village, district = _region_names(form)
    address = ", ".join(part for part in (
        str(form.get("alamat_tempat_praktik") or "").strip(),
        village,
        _("Kecamatan %(name)s") % {"name": district} if district else "",
    ) if part)
    return {
        "profession": _profession(version, form),
        "place_name": str(form.get("nama_tempat_praktik") or "").strip(),
        "place_kind": _choice_label(version, "jenis_fasilitas", form.get("jenis_fasilitas"))
        if form.get("jenis_fasilitas") else "",
        "place_address": address,
        "str_number": str(form.get("nomor_str") or "").strip(),
        "str_for_life": form.get("str_seumur_hidup") != "tidak",
        "str_valid_until": str_valid_until(form),
    }


def _user_name(user_id: int | None) -> str:
    from accounts.models import User

    if not user_id:
        return ""
    user = User.objects.filter(pk=user_id).only("full_name", "email").first()
    return (user.full_name or user.email) if user else ""


def signatory_for(application: Any) -> Signatory:
    """The staff member who approved the application, with the position their role in the
    owning OPD gives; the OPD head when nobody decided (e.g. a deemed approval)."""
    from agencies.models import StaffRole

    from .models import ApplicationEvent, Status

    agency = application.agency
    agency_name = agency.name if agency else ""
    head_title = _("Kepala %(agency)s") % {"agency": agency_name}
    decision = (
        ApplicationEvent.objects.filter(application_id=application.pk, to_status=Status.APPROVED)
        .exclude(actor_id=None).order_by("-created_at", "-pk").first()
    )
    roles = StaffRole.objects.filter(is_active=True)
    if decision is not None:
        held = set(roles.filter(user_id=decision.actor_id).filter(
            agency_id=application.agency_id).values_list("role", flat=True))
        if StaffRole.Role.AGENCY_HEAD in held:
            return Signatory(_user_name(decision.actor_id), head_title, agency_name)
        role = next((r for r in (StaffRole.Role.OFFICER, StaffRole.Role.FRONT_DESK) if r in held),
                    None)
        if role is None and roles.filter(user_id=decision.actor_id,
                                         role=StaffRole.Role.TENANT_ADMIN).exists():
            role = StaffRole.Role.TENANT_ADMIN
        position = str(StaffRole.Role(role).label) if role else _("Pejabat yang memutus")
        return Signatory(_user_name(decision.actor_id), position, agency_name,
                         on_behalf_of=_("a.n. %(title)s") % {"title": head_title})
    head = roles.filter(agency_id=application.agency_id, role=StaffRole.Role.AGENCY_HEAD).order_by(
        "pk").first()
    return Signatory(_user_name(head.user_id) if head else "", head_title, agency_name)
