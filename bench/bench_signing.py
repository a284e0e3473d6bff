"""Benchmarks of the signing app (run by `make bench BENCH_ARGS=signing`).

* ``output_render_per_second`` (baseline): the unsigned SIP output PDF render
  (``applications.pdf.render_output_pdf``: template + WeasyPrint) of 100 approved applications.
* ``output_sign_per_second``: the default signer (``signing.signers.LocalSigner``: PAdES-B-LT
  with an in-process RFC 3161 timestamp, chain + CRL in the DSS) on those 100 rendered PDFs;
  ratio = sign rate / render rate.
* ``output_issue_signed_per_second``: the whole issuance, 100 in a row: ``output_generate``
  (render, store, job) and then the signing task's service ``output_sign`` (sign, swap the
  file), each in its own transaction, sequential, one process; ratio against the render.
Keys are created before timing (first use), so the figures are steady state.
"""

from __future__ import annotations

import platform
import time
import uuid
from typing import Any

N_OUTPUTS = 100
REGION = "32.73"


def _setup() -> dict[str, Any]:
    from django.utils import timezone
    from django_tenants.utils import schema_context, tenant_context

    from accounts.models import User
    from agencies.models import StaffRole
    from agencies.services import staff_role_grant
    from catalog.seeding import seed_catalog
    from services.models import Offering
    from services.seeding import seed_demo_tenant as seed_offerings
    from tenants.models import Tenant
    from tenants.services import tenant_create_ready, tenant_set_state

    seed_catalog()
    tenant = tenant_create_ready(region_code=REGION)
    if tenant.state != Tenant.State.LIVE:
        tenant_set_state(tenant=tenant, state=Tenant.State.LIVE)
    with schema_context("public"):
        citizen, _ = User.objects.get_or_create(
            email="bench-sign-warga@example.id",
            defaults={"full_name": "Warga Tanda Tangan", "phone": "6281299990001",
                      "email_verified_at": timezone.now()},
        )
        admin, _ = User.objects.get_or_create(
            email="bench-sign-admin@example.id", defaults={"full_name": "Kepala Bench"}
        )
    with tenant_context(tenant):
        seed_offerings(tenant=tenant)
        staff_role_grant(user=admin, role=StaffRole.Role.TENANT_ADMIN)
        offering = Offering.objects.filter(service_code="SIP-DOKTER").first() or \
            Offering.objects.order_by("pk").first()
    return {"tenant": tenant, "citizen": citizen, "admin": admin, "offering": offering}


def _approved(tenant: Any, citizen: Any, offering: Any) -> list[int]:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from applications.models import Application

    with tenant_context(tenant):
        now = timezone.now()
        rows = Application.objects.bulk_create([
            Application(
                offering=offering, service_code=offering.service_code,
                service_version_id=offering.service_version_id, agency_id=offering.agency_id,
                applicant_id=citizen.pk, status="approved", decided_at=now,
                tracking_code=f"3273-SIGN-{uuid.uuid4().hex[:12].upper()}",
                form_data={"nama_lengkap": "Warga Tanda Tangan", "nomor_str": "KKI/STR/0001",
                           "str_seumur_hidup": "ya", "nama_tempat_praktik": "Klinik Sehat",
                           "alamat_tempat_praktik": "Jl. Braga 10"},
            ) for _ in range(N_OUTPUTS)
        ])
    return [row.pk for row in rows]


def run() -> list[dict[str, Any]]:
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from applications.models import Application
    from applications.pdf import render_output_pdf
    from applications.services import _output_spec, output_generate
    from signing import authority
    from signing.services import output_sign
    from signing.signers import LocalSigner, SignRequest

    ctx = _setup()
    tenant, admin = ctx["tenant"], ctx["admin"]
    conditions = {"outputs": N_OUTPUTS, "python": platform.python_version(),
                  "signer": "local (deployment CA, in-process TSA)", "profile": "PAdES-B-LT",
                  "keys": "RSA-2048 signer/TSA, RSA-3072 CA", "process": "one, sequential"}
    ids = _approved(tenant, ctx["citizen"], ctx["offering"])
    with tenant_context(tenant):
        authority.tenant_signer()  # first use outside the timing
        authority.tsa()
        apps = list(Application.objects.select_related("agency").filter(pk__in=ids))
        spec = _output_spec(apps[0])
        template = spec["document"].get("template") or "generic"
        started = time.perf_counter()
        pdfs = [render_output_pdf(application=app, template=template,
                                  verify_url="http://bench.localhost/verifikasi/x/",
                                  service_version=spec["version"]) for app in apps]
        render_s = time.perf_counter() - started
        signer = LocalSigner()
        started = time.perf_counter()
        for pdf in pdfs:
            signer.sign(SignRequest(pdf=pdf, signatory="Kepala Bench", position="Kepala Dinas",
                                    agency="DPMPTSP", tenant=tenant.name, document="SIP"))
        sign_s = time.perf_counter() - started
        started = time.perf_counter()
        for pk in ids:
            with transaction.atomic():
                output_generate(application_id=pk, actor=admin,
                                base_url="http://bench.localhost")
            output_sign(application_id=pk)
        issue_s = time.perf_counter() - started
    render_rate = N_OUTPUTS / render_s
    sign_rate = N_OUTPUTS / sign_s
    issue_rate = N_OUTPUTS / issue_s
    return [
        {"name": "output_render_per_second", "value": round(render_rate, 2), "unit": "1/s",
         "conditions": {**conditions, "what": "unsigned render (baseline)"}},
        {"name": "output_sign_per_second", "value": round(sign_rate, 2), "unit": "1/s",
         "conditions": {**conditions, "what": "LocalSigner.sign on the rendered PDFs",
                        "baseline_render_per_second": round(render_rate, 2),
                        "ratio_vs_render": round(sign_rate / render_rate, 3)}},
        {"name": "output_issue_signed_per_second", "value": round(issue_rate, 2), "unit": "1/s",
         "conditions": {**conditions, "what": "output_generate + output_sign, 100 in a row",
                        "baseline_render_per_second": round(render_rate, 2),
                        "ratio_vs_render": round(issue_rate / render_rate, 3)}},
    ]
