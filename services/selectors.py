"""Reads of the services app: the portal directory, back-office lists and drift checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from catalog.models import Category, ServiceVersion
from core.errors import NotFound
from sla.models import TargetUnit
from sla.selectors import PolicyValues, policy_for

from .models import Announcement, Offering

__all__ = [
    "DriftFlag",
    "adoptable_versions",
    "announcement_get",
    "announcements_for_manage",
    "announcements_published",
    "drift_summary",
    "latest_published_version",
    "offering_by_code",
    "offering_drift",
    "offerings_for_manage",
    "offerings_for_portal",
    "offerings_with_new_version",
    "portal_categories",
]


def _latest_published_number() -> Subquery:
    return Subquery(
        ServiceVersion.objects.filter(
            service_id=OuterRef("service_version__service_id"),
            status=ServiceVersion.Status.PUBLISHED,
        ).order_by("-number").values("number")[:1]
    )


def _offerings() -> QuerySet[Offering]:
    return Offering.objects.select_related(
        "service_version__service__category", "agency", "sla_policy"
    ).annotate(latest_published_number=_latest_published_number())


# What a card of the portal list shows (templates/services/directory.html): loading only these
# keeps the catalogue version's JSON content (form, requirements, procedure …) out of the list.
PORTAL_LIST_FIELDS = (
    "service_code", "channel", "local_fee_amount", "is_enabled",
    "agency__name",
    "service_version__name", "service_version__name_en", "service_version__fee_amount",
    "service_version__sla_value", "service_version__sla_unit", "service_version__status",
    "service_version__service__code",
    "service_version__service__category__code", "service_version__service__category__name",
    "service_version__service__category__name_en",
    "service_version__service__category__order",
    "sla_policy__target_value", "sla_policy__target_unit",
)


def offerings_for_portal(
    *, search: str | None = None, category: str | None = None, cards_only: bool = False
) -> QuerySet[Offering]:
    """Enabled offerings, by category then name; ``search`` matches name, code or
    description, ``category`` is a catalogue category code (ADM, IZN, NON)."""
    qs = Offering.objects.filter(is_enabled=True).select_related(
        "service_version__service__category", "agency", "sla_policy"
    )
    if cards_only:  # the portal's cards: no JSON content of the version
        qs = qs.only(*PORTAL_LIST_FIELDS)
    if search and search.strip():
        term = search.strip()
        qs = qs.filter(
            Q(service_version__name__icontains=term)
            | Q(service_code__icontains=term)
            | Q(service_version__description__icontains=term)
            | Q(agency__name__icontains=term)
            | Q(agency__short_name__icontains=term)
        )
    if category:
        qs = qs.filter(service_version__service__category__code=category)
    return qs.order_by(
        "service_version__service__category__order", "service_version__name", "service_code"
    )


def portal_categories() -> list[Category]:
    return list(Category.objects.order_by("order", "code"))


def offerings_for_manage() -> QuerySet[Offering]:
    """Every offering (enabled or not) for the back office."""
    return _offerings().order_by(
        "service_version__service__category__order", "service_code"
    )


def offering_by_code(code: str, *, enabled_only: bool = False) -> Offering:
    """The offering with this service code (case-insensitive), or :class:`NotFound`."""
    qs = _offerings().filter(service_code=(code or "").upper())
    if enabled_only:
        qs = qs.filter(is_enabled=True)
    offering = qs.first()
    if offering is None:
        raise NotFound(_("Layanan %(code)s tidak ditemukan.") % {"code": code})
    return offering


def offerings_with_new_version() -> QuerySet[Offering]:
    """Offerings whose service has a newer published catalogue version than the adopted one."""
    return offerings_for_manage().filter(
        latest_published_number__gt=F("service_version__number")
    )


def latest_published_version(offering: Offering) -> ServiceVersion | None:
    """The newest published version of the offering's service, if newer than the adopted."""
    latest = getattr(offering, "latest_published_number", None)
    if latest is not None and latest <= offering.service_version.number:
        return None
    return (
        ServiceVersion.objects.filter(
            service_id=offering.service_version.service_id,
            status=ServiceVersion.Status.PUBLISHED,
            number__gt=offering.service_version.number,
        ).select_related("service__category").order_by("-number").first()
    )


def adoptable_versions() -> QuerySet[ServiceVersion]:
    """The latest published version of every catalogue service the tenant has not adopted."""
    adopted = Offering.objects.values_list("service_code", flat=True)
    latest = ServiceVersion.objects.filter(
        service_id=OuterRef("service_id"), status=ServiceVersion.Status.PUBLISHED
    ).order_by("-number").values("pk")[:1]
    return (
        ServiceVersion.objects.filter(
            status=ServiceVersion.Status.PUBLISHED, service__is_active=True, pk=Subquery(latest)
        )
        .exclude(service__code__in=list(adopted))
        .select_related("service__category")
        .order_by("service__category__order", "service__code")
    )


# --------------------------------------------------------------------------- drift


@dataclass(frozen=True)
class DriftFlag:
    """Something the tenant changed away from the national standard.

    ``code``: ``sla_longer`` or ``requirement_unjustified``; ``message``: Bahasa
    Indonesia, for the tenant admin and the ministry rollup."""

    code: str
    message: str
    severity: str = "warn"


SLA_LONGER = "sla_longer"
REQUIREMENT_UNJUSTIFIED = "requirement_unjustified"

# Rough conversion to working days for comparing targets in different units: a working
# day has about 7 working hours, a week has 5 working days out of 7 calendar days.
_IN_WORKING_DAYS = {
    TargetUnit.WORKING_DAYS: Fraction(1),
    TargetUnit.WORKING_HOURS: Fraction(1, 7),
    TargetUnit.CALENDAR_DAYS: Fraction(5, 7),
}


def _longer_than_standard(values: PolicyValues, version: ServiceVersion) -> bool:
    if values.target_unit == version.sla_unit:
        return values.target_value > version.sla_value
    ours = values.target_value * _IN_WORKING_DAYS[TargetUnit(values.target_unit)]
    national = version.sla_value * _IN_WORKING_DAYS[TargetUnit(version.sla_unit)]
    return ours > national


def offering_drift(offering: Offering) -> list[DriftFlag]:
    """Drift of one offering from the national standard of its adopted version."""
    flags: list[DriftFlag] = []
    version = offering.service_version
    values = policy_for(offering=offering)
    if _longer_than_standard(values, version):
        flags.append(DriftFlag(
            SLA_LONGER,
            _("Jangka waktu %(ours)s lebih lama dari standar nasional %(national)s.")
            % {"ours": values.target_text, "national": version.sla_display},
        ))
    unjustified = [
        item.get("label") or item.get("code")
        for item in offering.local_requirements
        if isinstance(item, dict) and not str(item.get("justification") or "").strip()
    ]
    if unjustified:
        flags.append(DriftFlag(
            REQUIREMENT_UNJUSTIFIED,
            _("Persyaratan tambahan tanpa alasan: %(items)s.") % {"items": ", ".join(unjustified)},
        ))
    return flags


def drift_summary(offerings: Iterable[Offering] | None = None) -> dict[str, int]:
    """Counts for the tenant dashboard and the ministry rollup (two queries)::

        {"offerings", "enabled", "with_drift", "sla_longer", "requirement_unjustified",
         "new_version_available"}
    """
    rows = list(offerings if offerings is not None else offerings_for_manage())
    summary = {
        "offerings": len(rows),
        "enabled": 0,
        "with_drift": 0,
        SLA_LONGER: 0,
        REQUIREMENT_UNJUSTIFIED: 0,
        "new_version_available": 0,
    }
    for offering in rows:
        summary["enabled"] += offering.is_enabled
        flags = offering_drift(offering)
        summary["with_drift"] += bool(flags)
        for flag in flags:
            summary[flag.code] += 1
        latest = getattr(offering, "latest_published_number", None)
        summary["new_version_available"] += bool(
            latest and latest > offering.service_version.number
        )
    return summary


# --------------------------------------------------------------------------- announcements

HOME_ANNOUNCEMENTS = 5


def announcements_published(*, today: date, limit: int = HOME_ANNOUNCEMENTS) -> list[Announcement]:
    """Published announcements whose window contains ``today`` (the hall's local date),
    newest first. One query."""
    return list(
        Announcement.objects.filter(is_published=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .only("title", "body", "link_url", "starts_on", "created_at")
        .order_by("-created_at", "-id")[:limit]
    )


def announcements_for_manage() -> QuerySet[Announcement]:
    """Every announcement of the tenant for the back office, newest first."""
    return Announcement.objects.order_by("-created_at", "-id")


def announcement_get(*, announcement_id: int) -> Announcement:
    found = Announcement.objects.filter(pk=announcement_id).first()
    if found is None:
        raise NotFound(_("Pengumuman tidak ditemukan."))
    return found


@dataclass(frozen=True)
class EffectiveStep:
    name: str
    agency_kind: str
    agency: object | None  # the tenant's OPD holding the step (None: kind not mapped yet)
    sla_text: str  # the SLA in this tenant (the national one unless the tenant tightened it)
    optional: bool
    national_sla_text: str = ""  # the catalogue's SLA, the maximum
    tightened: bool = False


def offering_workflows() -> list[tuple[Offering, list[EffectiveStep]]]:
    """Each enabled offering with its effective workflow in this tenant (issue 13 item 2): the
    steps of the adopted catalogue version, each with the OPD mapped to its kind (the
    offering's own OPD for the implicit single step) and its SLA here (the tenant's tighter
    target, ``sla.selectors.effective_step_target``). Three queries."""
    from agencies.models import Agency
    from agencies.selectors import agency_kind_mappings
    from catalog.workflow import OWNER_KIND, workflow_of
    from sla.models import SlaPolicy
    from sla.selectors import effective_step_target, sla_text

    mapping = agency_kind_mappings()
    agencies = Agency.objects.in_bulk(set(mapping.values()))
    result = []
    for offering in Offering.objects.filter(is_enabled=True).select_related(
        "service_version", "agency", "sla_policy"
    ).order_by("service_code"):
        try:
            targets = offering.sla_policy.step_targets
        except SlaPolicy.DoesNotExist:
            targets = {}
        steps = []
        for step in workflow_of(offering.service_version).steps:
            agency = offering.agency if step.agency_kind == OWNER_KIND else agencies.get(
                mapping.get(step.agency_kind, 0)
            )
            value, unit = effective_step_target(targets, step.code, step.sla_value,
                                                step.sla_unit)
            steps.append(EffectiveStep(
                step.name, step.agency_kind, agency, sla_text(value, unit), step.optional,
                national_sla_text=sla_text(step.sla_value, step.sla_unit),
                tightened=value < step.sla_value,
            ))
        result.append((offering, steps))
    return result


def unmapped_agency_kinds() -> dict[str, list[str]]:
    """{OPD kind: [service codes]} of the enabled offerings whose workflow names a kind of OPD
    the tenant has not mapped to one of its OPDs: go-live waits for these."""
    missing: dict[str, list[str]] = {}
    for offering, steps in offering_workflows():
        for step in steps:
            if step.agency is None and offering.service_code not in missing.get(
                step.agency_kind, []
            ):
                missing.setdefault(step.agency_kind, []).append(offering.service_code)
    return missing
