"""Reads of the national catalogue (public schema; callable from any tenant context)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Category, Service, ServiceVersion

LIST_VERSION_FIELDS = (
    "id", "service_id", "number", "status", "name", "name_en", "description",
    "owning_agency_hint", "sla_value", "sla_unit", "sla_is_platform_default", "fee_amount",
    "fee_forbidden", "published_at",
)


def _published() -> QuerySet[ServiceVersion]:
    return ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED)


def catalog_categories() -> QuerySet[Category]:
    return Category.objects.order_by("order", "code")


def catalog_services(
    *, category: str | None = None, search: str | None = None
) -> QuerySet[Service]:
    """Active services with at least one published version, in category order.

    Each row carries `published_versions` (newest first, list fields only) so
    `service.published_versions[0]` is the latest published version without another query.
    """
    queryset = (
        Service.objects.filter(is_active=True)
        .filter(Exists(_published().filter(service=OuterRef("pk"))))
        .select_related("category")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=_published().only(*LIST_VERSION_FIELDS).order_by("-number"),
                to_attr="published_versions",
            )
        )
        .order_by("category__order", "code")
    )
    if category:
        queryset = queryset.filter(category__code=category.strip().upper())
    if search and search.strip():
        term = search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return queryset


def service_get(*, service_code: str) -> Service:
    service = (
        Service.objects.select_related("category").filter(code=service_code.upper()).first()
    )
    if service is None:
        raise NotFound(
            _("Layanan %(code)s tidak ada di katalog.") % {"code": service_code},
            extra={"code": service_code},
        )
    return service


def service_latest_published(*, service_code: str) -> ServiceVersion:
    """The newest published version of an active service; NotFound otherwise."""
    version = (
        _published()
        .filter(service__code=service_code.upper(), service__is_active=True)
        .select_related("service__category")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise NotFound(
            _("Layanan %(code)s tidak ada di katalog atau belum memiliki versi terbit.")
            % {"code": service_code},
            extra={"code": service_code},
        )
    return version


def service_versions(
    *, service_code: str, include_drafts: bool = False
) -> QuerySet[ServiceVersion]:
    """Versions of a service, newest first (published and retired; drafts on request)."""
    queryset = ServiceVersion.objects.filter(service__code=service_code.upper()).order_by(
        "-number"
    )
    if not include_drafts:
        queryset = queryset.exclude(status=ServiceVersion.Status.DRAFT)
    return queryset


def service_version_get(*, version_id: int) -> ServiceVersion:
    version = (
        ServiceVersion.objects.select_related("service__category").filter(pk=version_id).first()
    )
    if version is None:
        raise NotFound(_("Versi layanan tidak ditemukan."), extra={"version_id": version_id})
    return version


def service_version_newer(*, version: ServiceVersion) -> ServiceVersion | None:
    """The latest published version of the same service when it is newer than `version`
    (for "versi baru tersedia" in tenant offerings)."""
    return (
        _published()
        .filter(service_id=version.service_id, number__gt=version.number)
        .order_by("-number")
        .first()
    )


def catalog_latest_published_numbers(
    *, service_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """service id → number of its latest published version, in one query."""
    queryset = _published()
    if service_ids is not None:
        queryset = queryset.filter(service_id__in=list(service_ids))
    latest: dict[int, int] = {}
    for service_id, number in queryset.values_list("service_id", "number"):
        latest[service_id] = max(number, latest.get(service_id, 0))
    return latest
