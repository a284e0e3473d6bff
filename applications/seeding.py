"""Demo content of the applications app (core.discovery `seed_demo_tenant`): a few
applications of the demo citizen (warga@example.id) in different states, with vault
documents. Skipped when the catalogue or the offerings are missing; idempotent."""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tenants.utils import schema_context

logger = logging.getLogger(__name__)

DEMO_CITIZEN = "warga@example.id"
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# (service code, actions after submission)
DEMO_FLOWS = (
    ("KK-UBAH", ()),
    ("KTP-UBAH", ("start_verification",)),
    ("KK-HILANG", ("start_verification", "return")),
    ("AKTA-LAHIR", ("start_verification", "accept")),
    # across OPDs: DPMPTSP front office → Dinas Kesehatan (technical check) → DPMPTSP decision
    ("SIP-DOKTER", ("start_verification", "accept", "forward", "approve")),
)


def _demo_region(kind: str) -> str:
    """The first desa/kelurahan (or its kecamatan) of the tenant, '' when it has none."""
    from regions.models import Village

    village = Village.objects.filter(is_active=True, district__is_active=True).select_related(
        "district"
    ).order_by("code").first()
    if village is None:
        return ""
    return village.district.code if kind == "region_district" else village.code


def _demo_form_data(spec: Any, user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in spec.fields:
        kind, name = field.get("type"), field["name"]
        if kind == "nik":
            data[name] = "3273014101900001"
        elif kind == "phone":
            data[name] = "6281234567890"
        elif kind == "email":
            data[name] = user.email or ""
        elif kind == "choice":
            data[name] = (field.get("choices") or [{}])[0].get("value", "")
        elif kind == "date":
            data[name] = "1990-01-01"
        elif kind == "number":
            data[name] = (field.get("validation") or {}).get("min") or 1
        elif kind in {"region_district", "region_village"}:
            data[name] = _demo_region(kind)
        else:
            validation = field.get("validation") or {}
            if "\\d{16}" in str(validation.get("pattern", "")):
                data[name] = "3273010101010001"
            elif field.get("required"):
                text = "Data contoh untuk demo MPP Digital"
                data[name] = text.ljust(int(validation.get("min_length") or 0), ".")
            else:
                data[name] = ""
    return data


def _demo_step_record() -> dict[str, Any]:
    """What Dinas Kesehatan records to pass the SIP technical check (catalog seed workflow)."""
    return {
        "nomor_str_terverifikasi": "KKI.3273/STR-2024/0001", "masa_berlaku_str": "seumur hidup",
        "rekomendasi_teknis": SimpleUploadedFile("rekomendasi.pdf", DEMO_PDF),
    }


def seed_demo_tenant(*, tenant: Any) -> None:
    from accounts.models import User
    from agencies.models import StaffRole
    from services.models import Offering

    from .formspec import form_spec_for
    from .models import Application, Status
    from .statemachine import application_transition
    from .vault import vault_document_create

    with schema_context("public"):
        citizen = User.objects.filter(email=DEMO_CITIZEN).first()
    if citizen is None or Application.objects.filter(applicant_id=citizen.pk).exists():
        return
    admin_role = StaffRole.objects.filter(role=StaffRole.Role.TENANT_ADMIN, is_active=True).first()
    if admin_role is None:
        return
    with schema_context("public"):
        admin = User.objects.get(pk=admin_role.user_id)
    offerings = {
        o.service_code: o for o in Offering.objects.select_related("service_version").filter(
            service_code__in=[code for code, _ in DEMO_FLOWS], is_enabled=True
        )
    }
    if not offerings:
        logger.info("applications demo skipped in %s: no offerings", tenant.schema_name)
        return
    documents: dict[str, int] = {}
    for code, actions in DEMO_FLOWS:
        offering = offerings.get(code)
        if offering is None:
            continue
        spec = form_spec_for(offering)
        with transaction.atomic():
            for requirement in spec.requirements:
                if requirement.document_type not in documents:
                    upload = SimpleUploadedFile(
                        f"{requirement.document_type.lower()}.pdf", io.BytesIO(DEMO_PDF).read()
                    )
                    documents[requirement.document_type] = vault_document_create(
                        owner=citizen, upload=upload, document_type=requirement.document_type
                    ).pk
            application = Application.objects.create(
                offering=offering, service_code=offering.service_code,
                service_version_id=offering.service_version_id, agency_id=offering.agency_id,
                applicant_id=citizen.pk, status=Status.DRAFT,
                form_data=_demo_form_data(spec, citizen),
                documents={r.code: documents[r.document_type] for r in spec.requirements},
                lookup_digits=["0001", "7890"],
            )
            application_transition(application_id=application.pk, action="submit", actor=citizen)
            for action in actions:
                application_transition(
                    application_id=application.pk, action=action, actor=admin,
                    note="Mohon unggah ulang dokumen yang lebih jelas." if action == "return"
                    else "", record=_demo_step_record() if action == "forward" else None,
                )
