"""Catalogue fixtures shared by the bench modules (not a benchmark: `bench/__main__.py` only
runs ``bench_*`` modules)."""

from __future__ import annotations

from typing import Any


def plain_service_version(*, code: str, name: str, category: str = "IZN",
                          sla_value: int = 5) -> Any:
    """A published catalogue version *without* workflow steps (public schema, created once):
    applications of it have the implicit single step at the offering's OPD, i.e. they behave
    as every application did before workflows (docs/adr/0011)."""
    from django_tenants.utils import schema_context

    from catalog.models import Category, Service, ServiceVersion

    with schema_context("public"):
        version = ServiceVersion.objects.filter(service__code=code).first()
        if version:
            return version
        names = {"ADM": "Administrasi Kependudukan", "IZN": "Perizinan", "NON": "Non-Perizinan"}
        category_row, _ = Category.objects.get_or_create(
            code=category, defaults={"name": names.get(category, category), "order": 2})
        service, _ = Service.objects.get_or_create(
            code=code, defaults={"category": category_row, "name": name})
        version = ServiceVersion(
            service=service, number=1, status=ServiceVersion.Status.PUBLISHED,
            name=name, description="bench", sla_value=sla_value,
            sla_unit=ServiceVersion.SlaUnit.WORKING_DAYS, product="bench",
            requirements=[], procedure=[], complaints={"channels": [], "handling": "-"},
        )
        version.save()
        return version
