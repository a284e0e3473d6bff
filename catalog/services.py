"""Writes to the national catalogue: seed loading, drafts, publishing.

Published versions are immutable. A change is a new draft (a copy of the latest version),
edited and then published under the next number. Publishing never touches tenant offerings:
tenants see that a newer version exists and adopt it explicitly.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DraftExists, PublishInvalid, SeedInvalid, VersionImmutable, VersionInvalid
from .formschema import validate_form_fields, validate_prefill
from .models import Category, Service, ServiceVersion
from .workflow import workflow_errors

logger = logging.getLogger("catalog.audit")

SEED_DIR = Path(__file__).resolve().parent / "seed"
CATEGORY_FILE = "categories.yaml"

PROCEDURE_ACTORS = {"pemohon", "petugas", "kepala", "sistem"}
REQUIREMENT_KINDS = {"document", "data", "condition"}


# --- validation shared by publish and the seed loader ------------------------------------


def service_version_publish_errors(*, version: ServiceVersion) -> list[str]:
    """Everything that stops `version` from being published (Indonesian messages)."""
    errors: list[str] = []
    if not version.name.strip():
        errors.append(_("Nama layanan wajib diisi."))
    if not version.product.strip():
        errors.append(_("Produk pelayanan wajib diisi."))
    errors.extend(_requirement_errors(version))
    if not isinstance(version.procedure, list) or not version.procedure:
        errors.append(_("Prosedur wajib memuat paling sedikit satu langkah."))
    else:
        for index, step in enumerate(version.procedure, start=1):
            if not isinstance(step, dict) or step.get("actor") not in PROCEDURE_ACTORS or not (
                step.get("title")
            ):
                errors.append(
                    _("Langkah prosedur ke-%(index)d membutuhkan pelaku (%(actors)s) dan judul.")
                    % {"index": index, "actors": ", ".join(sorted(PROCEDURE_ACTORS))}
                )
    if version.sla_value < 1:
        errors.append(_("Jangka waktu harus paling sedikit 1."))
    if version.fee_forbidden and version.fee_amount:
        errors.append(_("Biaya layanan ini dilarang; nilainya harus Rp0."))
    if version.service.category.fee_forbidden and not version.fee_forbidden:
        errors.append(
            _("Layanan kategori %(category)s wajib ditandai 'biaya dilarang' (Rp0).")
            % {"category": version.service.category.name}
        )
    errors.extend(validate_form_fields(version.form_fields, requirements=version.requirements))
    if isinstance(version.form_fields, list):
        errors.extend(validate_prefill(version.prefill, version.form_fields))
    errors.extend(workflow_errors(version.workflow))
    return errors


def _requirement_errors(version: ServiceVersion) -> list[str]:
    requirements = version.requirements
    if not isinstance(requirements, list) or not requirements:
        return [_("Persyaratan wajib memuat paling sedikit satu butir.")]
    errors: list[str] = []
    refs = {item.get("ref") for item in version.legal_basis or [] if isinstance(item, dict)}
    field_names = {
        f.get("name") for f in version.form_fields or [] if isinstance(f, dict)
    }
    seen: set[str] = set()
    for index, item in enumerate(requirements, start=1):
        if not isinstance(item, dict) or not item.get("code") or not item.get("label"):
            errors.append(_("Persyaratan ke-%(index)d membutuhkan kode dan label.")
                          % {"index": index})
            continue
        code = item["code"]
        if code in seen:
            errors.append(_("Kode persyaratan %(code)s dipakai lebih dari sekali.")
                          % {"code": code})
        seen.add(code)
        if item.get("kind") not in REQUIREMENT_KINDS:
            errors.append(_("Persyaratan %(code)s: jenis harus document, data atau condition.")
                          % {"code": code})
        if item.get("kind") == "document" and not item.get("document_type"):
            errors.append(_("Persyaratan dokumen %(code)s membutuhkan jenis dokumen.")
                          % {"code": code})
        basis = item.get("legal_basis")
        if basis and basis not in refs:
            errors.append(
                _("Persyaratan %(code)s merujuk dasar hukum \"%(ref)s\" yang tidak ada di daftar "
                  "dasar hukum.") % {"code": code, "ref": basis}
            )
        condition = item.get("required_when")
        if condition and condition.get("field") not in field_names:
            errors.append(
                _("Persyaratan %(code)s: required_when merujuk isian %(field)s yang tidak ada.")
                % {"code": code, "field": condition.get("field")}
            )
    return errors


# --- drafts and publishing ---------------------------------------------------------------


def _copy_content(source: ServiceVersion | None, service: Service) -> dict[str, Any]:
    if source is None:
        return {"name": service.name}
    return {
        name: json.loads(json.dumps(getattr(source, name)))
        if isinstance(getattr(source, name), list | dict) else getattr(source, name)
        for name in ServiceVersion.EDITABLE_FIELDS
    }


@transaction.atomic
def service_version_create_draft(
    *, service: Service, actor: AbstractBaseUser | None
) -> ServiceVersion:
    """A new draft, copied from the latest version, numbered after the highest one."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    existing = service.versions.filter(status=ServiceVersion.Status.DRAFT).first()
    if existing is not None:
        raise DraftExists(
            _("Layanan %(code)s sudah memiliki draf versi %(number)d; lanjutkan draf itu.")
            % {"code": service.code, "number": existing.number},
            extra={"version_id": existing.pk, "number": existing.number},
        )
    latest = (
        service.versions.filter(status=ServiceVersion.Status.PUBLISHED).order_by("-number").first()
        or service.versions.order_by("-number").first()
    )
    highest = service.versions.aggregate(m=Max("number"))["m"] or 0
    draft = ServiceVersion(
        service=service, number=highest + 1, status=ServiceVersion.Status.DRAFT,
        **_copy_content(latest, service),
    )
    draft.full_clean()
    draft.save()
    logger.info(
        "catalog draft created", extra={"service": service.code, "number": draft.number,
                                        "actor_id": getattr(actor, "pk", None)},
    )
    return draft


def _ensure_draft(version: ServiceVersion) -> None:
    if version.status != ServiceVersion.Status.DRAFT or version.is_frozen:
        raise VersionImmutable(
            _("Versi %(number)d layanan %(code)s sudah diterbitkan dan tidak dapat diubah. "
              "Buat draf versi baru untuk perubahan.")
            % {"number": version.number, "code": version.service.code},
            extra={"version_id": version.pk, "status": version.status},
        )


@transaction.atomic
def service_version_update_draft(
    *, version: ServiceVersion, actor: AbstractBaseUser | None, **fields: Any
) -> ServiceVersion:
    """Edit a draft. Refused for published/retired versions (VersionImmutable)."""
    version = ServiceVersion.objects.select_for_update().select_related("service").get(
        pk=version.pk
    )
    _ensure_draft(version)
    unknown = sorted(set(fields) - set(ServiceVersion.EDITABLE_FIELDS))
    if unknown:
        raise VersionInvalid(
            _("Isian berikut tidak dapat diubah: %(fields)s.") % {"fields": ", ".join(unknown)},
            extra={"fields": unknown},
        )
    for name, value in fields.items():
        setattr(version, name, value)
    try:
        version.full_clean()
    except ValidationError as exc:
        raise VersionInvalid(
            _("Draf tidak valid."), extra={"fields": exc.message_dict}
        ) from exc
    version.save()
    logger.info(
        "catalog draft updated", extra={"service": version.service.code,
                                        "number": version.number, "fields": sorted(fields),
                                        "actor_id": getattr(actor, "pk", None)},
    )
    return version


@transaction.atomic
def service_version_publish(
    *, version: ServiceVersion, actor: AbstractBaseUser | None
) -> ServiceVersion:
    """Publish a draft after validating its form schema and references.

    Does not touch tenant offerings: they keep their adopted version until they adopt this one.
    """
    version = ServiceVersion.objects.select_for_update().select_related(
        "service__category"
    ).get(pk=version.pk)
    _ensure_draft(version)
    errors = service_version_publish_errors(version=version)
    if errors:
        raise PublishInvalid(
            _("Versi %(number)d layanan %(code)s belum dapat diterbitkan: %(first)s")
            % {"number": version.number, "code": version.service.code, "first": errors[0]},
            extra={"errors": errors},
        )
    version.status = ServiceVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save()
    Service.objects.filter(pk=version.service_id).update(name=version.name)
    logger.info(
        "catalog version published", extra={"service": version.service.code,
                                            "number": version.number,
                                            "actor_id": getattr(actor, "pk", None)},
    )
    return version


@transaction.atomic
def service_version_retire(
    *, version: ServiceVersion, actor: AbstractBaseUser | None
) -> ServiceVersion:
    """Mark a published version as no longer valid (content stays as it was)."""
    version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ServiceVersion.Status.PUBLISHED:
        raise VersionInvalid(_("Hanya versi yang sudah terbit yang dapat dinyatakan tidak berlaku."))
    version.status = ServiceVersion.Status.RETIRED
    version.save(update_fields=["status", "updated_at"])
    logger.info("catalog version retired", extra={"version_id": version.pk,
                                                  "actor_id": getattr(actor, "pk", None)})
    return version


# --- seed loader -------------------------------------------------------------------------


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    # JSON round trip: JSONField-compatible values only (YAML dates become strings).
    return json.loads(json.dumps(data, default=str))


def seed_entry_to_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """ServiceVersion content fields (EDITABLE_FIELDS) from one seed service entry."""
    sla, fee = entry.get("sla") or {}, entry.get("fee") or {}
    return {
        "name": entry["name"],
        "name_en": entry.get("name_en", ""),
        "description": entry.get("description", ""),
        "owning_agency_hint": entry.get("owning_agency_hint", ""),
        "fulfilment": entry.get("fulfilment") or ServiceVersion.Fulfilment.PLATFORM_ISSUED,
        "requirements": entry.get("requirements") or [],
        "procedure": entry.get("procedure") or [],
        "sla_value": sla.get("value", 1),
        "sla_unit": sla.get("unit", ServiceVersion.SlaUnit.WORKING_DAYS),
        "sla_source": sla.get("source", ""),
        "sla_is_platform_default": bool(sla.get("is_platform_default", False)),
        "fee_amount": fee.get("amount", 0),
        "fee_forbidden": bool(fee.get("fee_forbidden", False)),
        "fee_basis": fee.get("basis", ""),
        "fee_sanction": fee.get("sanction") or "",
        "fee_note": fee.get("note", ""),
        "product": entry.get("product", ""),
        "complaints": entry.get("complaints") or {},
        "legal_basis_text": entry.get("legal_basis_text", ""),
        "facilities": entry.get("facilities", ""),
        "competence": entry.get("competence", ""),
        "internal_supervision": entry.get("internal_supervision", ""),
        "staffing": entry.get("staffing", ""),
        "service_guarantee": entry.get("service_guarantee", ""),
        "security_guarantee": entry.get("security_guarantee", ""),
        "performance_evaluation": entry.get("performance_evaluation", ""),
        "legal_basis": entry.get("legal_basis") or [],
        "output_document": entry.get("output_document") or {},
        "form_fields": entry.get("form_fields") or [],
        "prefill": entry.get("prefill") or {},
        "rules": entry.get("rules"),
        "notes": entry.get("notes") or [],
        "workflow": entry.get("workflow") or {},
    }


def _differing_fields(version: ServiceVersion, fields: dict[str, Any]) -> list[str]:
    return [name for name, value in fields.items() if getattr(version, name) != value]


def _load_categories(path: Path, summary: dict[str, Any]) -> dict[str, Category]:
    data = _read_yaml(path)
    categories: dict[str, Category] = {}
    for item in data.get("categories") or []:
        values = {
            "name": item["name"], "name_en": item.get("name_en", ""),
            "description": item.get("description", ""),
            "fee_forbidden": bool(item.get("fee_forbidden", False)),
            "order": item.get("order", 0),
        }
        category, created = Category.objects.get_or_create(code=item["code"], defaults=values)
        if created:
            summary["categories_created"] += 1
        else:
            changed = [k for k, v in values.items() if getattr(category, k) != v]
            if changed:
                for key in changed:
                    setattr(category, key, values[key])
                category.full_clean()
                category.save(update_fields=changed)
                summary["categories_updated"] += 1
        categories[category.code] = category
    return categories


def _publish_from_seed(
    service: Service, number: int, fields: dict[str, Any]
) -> ServiceVersion | list[str]:
    version = ServiceVersion(
        service=service, number=number, status=ServiceVersion.Status.PUBLISHED,
        published_at=timezone.now(), **fields,
    )
    errors = service_version_publish_errors(version=version)
    try:
        version.full_clean()
    except ValidationError as exc:
        errors.extend(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    if errors:
        return errors
    version.save()
    return version


def _load_service(
    entry: dict[str, Any], categories: dict[str, Category], summary: dict[str, Any]
) -> None:
    code, seed_number = entry["code"], int(entry.get("version", 1))
    category = categories.get(entry.get("category"))
    if category is None:
        summary["invalid"].append({"code": code, "errors": [
            _("Kategori %(category)s tidak ada.") % {"category": entry.get("category")}
        ]})
        return
    fields = seed_entry_to_fields(entry)
    service = Service.objects.filter(code=code).select_related("category").first()
    if service is None:
        service = Service(code=code, category=category, name=fields["name"])
        service.full_clean()
        service.save()
        summary["services_created"] += 1
    elif service.category_id != category.pk:
        summary["conflicts"].append({
            "code": code, "reason": "category",
            "message": _("Kategori di seed (%(seed)s) berbeda dengan katalog (%(db)s); "
                         "tidak diubah.") % {"seed": category.code, "db": service.category.code},
        })
    latest = (
        service.versions.filter(status=ServiceVersion.Status.PUBLISHED).order_by("-number").first()
    )
    if latest is not None and not _differing_fields(latest, fields):
        summary["unchanged"] += 1
        return
    highest = service.versions.aggregate(m=Max("number"))["m"] or 0
    if seed_number <= highest:
        # The content differs but the seed did not bump its version: never rewrite history.
        summary["conflicts"].append({
            "code": code, "reason": "content_differs",
            "published_number": latest.number if latest else None,
            "seed_version": seed_number,
            "fields": _differing_fields(latest, fields) if latest else [],
            "message": _(
                "Isi seed %(code)s berbeda dengan versi terbit %(number)s, tetapi nomor versi "
                "seed (%(seed)d) tidak lebih besar dari versi tertinggi (%(highest)d); katalog "
                "tidak diubah. Naikkan `version` di seed atau ubah lewat draf."
            ) % {"code": code, "number": latest.number if latest else "-",
                 "seed": seed_number, "highest": highest},
        })
        return
    result = _publish_from_seed(service, seed_number, fields)
    if isinstance(result, list):
        summary["invalid"].append({"code": code, "errors": result})
        return
    if service.name != fields["name"]:
        Service.objects.filter(pk=service.pk).update(name=fields["name"])
    summary["versions_published"].append({"code": code, "number": seed_number})


@transaction.atomic
def catalog_load_seed(*, path: Path | str | None = None) -> dict[str, Any]:
    """Load the seed (a folder of YAML files, default catalog/seed/) idempotently.

    Creates missing categories and services, and publishes a seed entry's content as version
    `version` when that number is new. A published version is never modified: when the seed's
    content differs from the latest published version without a version bump, the difference
    is reported under `conflicts`. Invalid entries are reported under `invalid` and skipped.
    """
    folder = Path(path) if path else SEED_DIR
    if not (folder / CATEGORY_FILE).is_file():
        raise SeedInvalid(
            _("Berkas %(file)s tidak ditemukan di %(folder)s.")
            % {"file": CATEGORY_FILE, "folder": folder}
        )
    summary: dict[str, Any] = {
        "categories_created": 0, "categories_updated": 0, "services_created": 0,
        "versions_published": [], "unchanged": 0, "conflicts": [], "invalid": [], "files": [],
    }
    categories = _load_categories(folder / CATEGORY_FILE, summary)
    seen: set[str] = set()
    for file in sorted(folder.glob("*.yaml")):
        if file.name == CATEGORY_FILE:
            continue
        summary["files"].append(file.name)
        for entry in _read_yaml(file).get("services") or []:
            if entry.get("code") in seen:
                summary["invalid"].append({"code": entry.get("code"), "errors": [
                    _("Kode layanan muncul lebih dari sekali di seed.")
                ]})
                continue
            seen.add(entry.get("code"))
            _load_service(entry, categories, summary)
    summary["services_total"] = Service.objects.count()
    summary["versions_total"] = ServiceVersion.objects.count()
    logger.info("catalog seed loaded", extra={"summary": {
        k: v for k, v in summary.items() if isinstance(v, int)
    }})
    return summary
