"""Reads of the tenant's kecamatan and desa/kelurahan (current tenant schema)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core.errors import NotFound
from regions.importer import ExistingRegion

from .models import District, RegionImport, Village


def existing_regions() -> list[ExistingRegion]:
    """Every stored kecamatan and desa (active or not), in the importer's shape."""
    rows = [
        ExistingRegion(code, name, code[:5], active)
        for code, name, active in District.objects.values_list("code", "name", "is_active")
    ]
    rows.extend(
        ExistingRegion(code, name, parent, active)
        for code, name, parent, active in Village.objects.values_list(
            "code", "name", "district__code", "is_active"
        )
    )
    return rows


def district_list(*, search: str = "", include_inactive: bool = True) -> QuerySet[District]:
    """Kecamatan with their number of active desa/kelurahan; `search` matches code or name."""
    qs = District.objects.annotate(
        active_villages=Count("villages", filter=Q(villages__is_active=True))
    ).order_by("code")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(code__startswith=search)
            | Q(villages__name__icontains=search)
            | Q(villages__code__startswith=search)
        ).distinct()
    return qs


def village_list(
    *, search: str = "", district_code: str = "", include_inactive: bool = True
) -> QuerySet[Village]:
    qs = Village.objects.select_related("district").order_by("code")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if district_code:
        qs = qs.filter(district__code=district_code)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(code__startswith=search)
            | Q(district__name__icontains=search)
        )
    return qs


def region_counts() -> dict[str, int]:
    return {
        "districts": District.objects.filter(is_active=True).count(),
        "villages": Village.objects.filter(is_active=True).count(),
        "inactive_districts": District.objects.filter(is_active=False).count(),
        "inactive_villages": Village.objects.filter(is_active=False).count(),
    }


def has_active_district() -> bool:
    return District.objects.filter(is_active=True).exists()


def regions_ready() -> bool:
    """True when citizens can choose a kecamatan AND a desa/kelurahan of it: at least one
    active kecamatan with an active desa/kelurahan. Forms and going live depend on it."""
    return Village.objects.filter(is_active=True, district__is_active=True).exists()


def region_import_history(*, limit: int = 20) -> list[RegionImport]:
    return list(RegionImport.objects.order_by("-created_at", "-pk")[:limit])


def region_import_get(*, import_id: int) -> RegionImport:
    found = RegionImport.objects.filter(pk=import_id).first()
    if found is None:
        raise NotFound("Riwayat impor tidak ditemukan.")
    return found
