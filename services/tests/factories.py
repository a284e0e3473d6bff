"""Catalogue rows for offering tests (public schema)."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from catalog.models import Category, Service, ServiceVersion

CATEGORY_NAMES = {
    "ADM": ("Administrasi Kependudukan", True, 1),
    "IZN": ("Perizinan", False, 2),
    "NON": ("Non-Perizinan", False, 3),
}

REQUIREMENTS = [
    {"code": "kk", "label": "Kartu Keluarga", "kind": "document", "document_type": "KK",
     "required": True, "legal_basis": None},
]


def category(code: str = "ADM") -> Category:
    name, forbidden, order = CATEGORY_NAMES[code]
    with schema_context("public"):
        obj, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "fee_forbidden": forbidden, "order": order}
        )
    return obj


def service_version(
    *, code: str = "T-KTP", category_code: str = "ADM", number: int = 1,
    status: str = ServiceVersion.Status.PUBLISHED, name: str | None = None, **fields: Any,
) -> ServiceVersion:
    """A catalogue version (created in the public schema)."""
    cat = category(category_code)
    forbidden = category_code == "ADM"
    defaults: dict[str, Any] = {
        "name": name or f"Layanan uji {code}",
        "description": f"Deskripsi layanan {code}",
        "requirements": REQUIREMENTS,
        "procedure": [{"actor": "pemohon", "title": "Mengajukan", "description": "Isi formulir"}],
        "sla_value": 1 if forbidden else 5,
        "sla_unit": ServiceVersion.SlaUnit.WORKING_DAYS,
        "fee_amount": 0,
        "fee_forbidden": forbidden,
        "fee_basis": "UU 24/2013 Pasal 79A" if forbidden else "",
        "product": "Dokumen uji",
        "complaints": {"channels": ["SP4N-LAPOR!"], "handling": "Ditindaklanjuti."},
        "owning_agency_hint": "Disdukcapil" if forbidden else "DPMPTSP",
    }
    defaults.update(fields)
    with schema_context("public"):
        service, _ = Service.objects.get_or_create(
            code=code, defaults={"category": cat, "name": defaults["name"]}
        )
        version = ServiceVersion(service=service, number=number, status=status, **defaults)
        version.save()
    return version
