from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rupiah(amount: object) -> str:
    """12500 -> "Rp12.500"."""
    try:
        value = int(amount)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return "Rp" + f"{value:,}".replace(",", ".")


@register.filter
def requirement_kind(kind: str) -> str:
    return {"document": _("Dokumen"), "data": _("Data isian"), "condition": _("Kondisi")}.get(
        kind, kind
    )


@register.filter
def actor_label(actor: str) -> str:
    return {
        "pemohon": _("Pemohon"), "petugas": _("Petugas"), "kepala": _("Pejabat"),
        "sistem": _("Sistem"),
    }.get(actor, actor)
