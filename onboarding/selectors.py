"""Reads of onboarding: registrations (ministry), wizard steps and invitations (tenant)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context, tenant_context

from tenants.models import Tenant

from .errors import RegistrationNotFound
from .models import Invitation, OnboardingProgress, Registration

logger = logging.getLogger(__name__)
TENANT_URLCONF = "config.urls_tenant"

STEP_LABELS = {
    "profile": _("Profil daerah"),
    "regions": _("Wilayah"),
    "opd": _("OPD"),
    "services": _("Layanan"),
    "staff": _("Undangan staf"),
    "counters": _("Loket"),
    "golive": _("Peluncuran"),
}
STEP_ORDER = tuple(STEP_LABELS)


@dataclass(frozen=True, slots=True)
class WizardStep:
    key: str
    label: str
    done: bool
    required: bool = True
    note: str = ""
    available: bool = True


# --- registrations ------------------------------------------------------------------------------


def registration_pending_list() -> QuerySet[Registration]:
    with schema_context("public"):
        return Registration.objects.filter(
            status=Registration.Status.PENDING_APPROVAL
        ).order_by("created_at")


def registration_recent_list(*, limit: int = 50) -> list[Registration]:
    with schema_context("public"):
        return list(
            Registration.objects.exclude(status=Registration.Status.PENDING_APPROVAL)
            .select_related("tenant")
            .order_by("-updated_at")[:limit]
        )


def registration_get(*, registration_id: int) -> Registration:
    with schema_context("public"):
        found = (
            Registration.objects.select_related("tenant", "user", "decided_by")
            .filter(pk=registration_id).first()
        )
    if found is None:
        raise RegistrationNotFound(str(_("Pendaftaran tidak ditemukan.")))
    return found


def registration_by_token(*, token: str) -> Registration:
    with schema_context("public"):
        found = Registration.objects.select_related("tenant").filter(token=token).first()
    if found is None:
        raise RegistrationNotFound(str(_("Pendaftaran tidak ditemukan.")))
    return found


def provisioning_steps(registration: Registration) -> tuple[list[dict[str, str]], str]:
    """(steps with state done/current/todo, overall phase) for the status page."""
    from tenants.services import PROVISIONING_STEPS

    labels = {
        "queued": _("Dalam antrean"),
        "creating_schema": _("Membuat skema basis data"),
        "migrating": _("Menyiapkan tabel"),
        "seeding": _("Mengisi data awal"),
        "ready": _("Siap"),
    }
    step = ""
    if registration.tenant is not None:
        with schema_context("public"):
            tenant = Tenant.objects.get(pk=registration.tenant_id)
        step = "ready" if tenant.is_ready else tenant.provisioning_step
    current = PROVISIONING_STEPS.index(step) if step in PROVISIONING_STEPS else -1
    items = []
    for index, key in enumerate(PROVISIONING_STEPS):
        if step == "ready" or index < current:
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        items.append({"key": key, "label": str(labels[key]), "state": state})
    phase = "failed" if step == "failed" else ("ready" if step == "ready" else "running")
    return items, phase


# --- wizard -----------------------------------------------------------------------------------


def onboarding_progress_of(*, tenant: Tenant) -> OnboardingProgress:
    with schema_context("public"):
        found = OnboardingProgress.objects.filter(tenant=tenant).first()
    return found or OnboardingProgress(tenant=tenant)


def services_catalogue_available() -> bool:
    try:
        reverse("services:manage", urlconf=TENANT_URLCONF)
    except NoReverseMatch:
        return False
    return True


def _offering_count() -> int | None:
    """Offerings in the current tenant, or None when the services app is not usable yet."""
    if not services_catalogue_available():
        return None
    try:
        from django.db import transaction

        from services.models import Offering  # the catalogue engineer's model

        with transaction.atomic():  # savepoint: a missing table must not break the request
            return Offering.objects.count()
    except Exception:  # app not migrated/ready yet: treat as unavailable
        logger.warning("services.models.Offering is not usable yet", exc_info=True)
        return None


def _unmapped_kinds() -> dict[str, list[str]]:
    """OPD kinds named by adopted workflows and not mapped to an OPD yet (issue 13)."""
    from services.selectors import unmapped_agency_kinds

    return unmapped_agency_kinds()


def wizard_steps(*, tenant: Tenant) -> list[WizardStep]:
    """Every wizard step with its done state, computed from the tenant's data and progress."""
    from agencies.models import Agency
    from hall.models import Counter
    from regions.selectors import regions_ready

    progress = onboarding_progress_of(tenant=tenant)
    with tenant_context(tenant):
        regions_done = regions_ready()  # a kecamatan without desa blocks every form
        opd_done = Agency.objects.filter(is_active=True).exists()
        counters_done = Counter.objects.filter(is_active=True).exists()
        offerings = _offering_count()
        unmapped = _unmapped_kinds() if offerings else {}
    services_available = offerings is not None
    with schema_context("public"):
        state = Tenant.objects.filter(pk=tenant.pk).values_list("state", flat=True).first()
    return [
        WizardStep("profile", str(STEP_LABELS["profile"]), progress.is_done("profile")),
        WizardStep("regions", str(STEP_LABELS["regions"]), regions_done),
        WizardStep("opd", str(STEP_LABELS["opd"]), opd_done),
        WizardStep(
            "services", str(STEP_LABELS["services"]),
            (bool(offerings) and not unmapped) if services_available else True,
            required=services_available, available=services_available,
            note=str(_("petakan jenis OPD: %(kinds)s") % {"kinds": ", ".join(unmapped)})
            if unmapped else ("" if services_available else str(_("segera hadir"))),
        ),
        WizardStep(
            "staff", str(STEP_LABELS["staff"]), progress.is_done("staff"), required=False,
            note=str(_("opsional")),
        ),
        WizardStep("counters", str(STEP_LABELS["counters"]), counters_done),
        WizardStep("golive", str(STEP_LABELS["golive"]), state == Tenant.State.LIVE),
    ]


def first_open_step(steps: list[WizardStep]) -> str:
    """The step the admin should work on: the first required step not done (else go-live)."""
    for step in steps:
        if step.key != "golive" and step.required and not step.done:
            return step.key
    return "golive"


def step_is_reachable(steps: list[WizardStep], key: str) -> bool:
    """Gating: a step opens once every required step before it is done. The go-live review
    always opens (it lists what is missing)."""
    if key == "golive":
        return True
    for step in steps:
        if step.key == key:
            return True
        if step.required and not step.done:
            return False
    return False


def invitation_list(*, tenant: Tenant) -> list[Invitation]:
    with schema_context("public"):
        return list(Invitation.objects.filter(tenant=tenant).order_by("-created_at")[:100])
