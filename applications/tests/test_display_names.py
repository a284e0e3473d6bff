"""Citizen and staff pages show kecamatan/desa names, and timeline instants in the tenant's
time zone (issue 17)."""

from __future__ import annotations

import uuid

from applications.models import ApplicationEvent, EventKind
from applications.tests.conftest import COBLONG, DAGO, ktp_form_data


def _submitted_ktp(citizen, ktp_offering, ktp_docs, tenant_a, in_tenant):
    from applications.services import application_submit

    with in_tenant(tenant_a):
        application, _replayed = application_submit(
            applicant=citizen, idempotency_key=uuid.uuid4().hex, offering=ktp_offering,
            form_data=ktp_form_data(kecamatan=COBLONG, desa=DAGO), documents=ktp_docs,
            share_consent=True,
        )
        ApplicationEvent.objects.create(
            application=application, kind=EventKind.SLA_RECOMPUTED,
            data={"due_at": "2026-12-14T09:00:00+00:00"},
        )
    return application


def test_pages_show_region_names_and_local_times(
    client_a, citizen, ktp_offering, ktp_docs, regions_a, tenant_a, in_tenant, staff
):
    application = _submitted_ktp(citizen, ktp_offering, ktp_docs, tenant_a, in_tenant)
    client_a.force_login(citizen)
    page = client_a.get(f"/permohonan/{application.pk}/").content.decode()
    assert "Coblong" in page and "Dago" in page
    assert DAGO not in page
    assert "2026-12-14T09:00:00+00:00</" not in page
    assert "14 Des 2026, 16:00 WIB" in page or "14 Dec 2026, 16:00 WIB" in page
    client_a.force_login(staff("officer", ktp_offering))
    staff_page = client_a.get(f"/kelola/permohonan/{application.pk}/").content.decode()
    assert "Dago" in staff_page and f">{DAGO}<" not in staff_page
    assert "16:00 WIB" in staff_page
