"""Services across OPDs (issue 13): the SIP workflow passes from the licensing office's front
office to Dinas Kesehatan and back for the decision; each OPD acts only on its own step, sees
the file only once it has had a part in it, and every step has its OPD and its deadline."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import StaffRole
from applications.errors import (
    ApplicationNotFound,
    IllegalTransition,
    InvalidApplication,
    WrongRole,
)
from applications.models import Application, ApplicationEvent, ApplicationStep
from applications.statemachine import allowed_actions, application_transition
from catalog.workflow import AGENCY_KINDS, workflow_errors

from .test_output_sip import _form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Tuesday 8 December 2026, 09:00 WIB: a working day (no holiday in the week).
TUESDAY = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)


def _local(instant):
    return instant.astimezone(ZoneInfo("Asia/Jakarta"))


def _go(app, action, actor, **kw):
    return application_transition(application_id=app.pk, action=action, actor=actor, **kw)


@pytest.fixture
def two_opds(sip_offering, tenant_a, in_tenant, staff_user):
    """DPMPTSP (the offering's OPD) and Dinas Kesehatan mapped to their kinds, an officer of
    each (only that role) and a draft SIP application of the citizen."""
    from agencies.services import agency_create, agency_kind_map

    with in_tenant(tenant_a):
        dinkes = agency_create(name="Dinas Kesehatan", short_name="Dinkes")
        agency_kind_map(kind="dpmptsp", agency=sip_offering.agency)
        agency_kind_map(kind="dinkes", agency=dinkes)
    front = staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=sip_offering.agency)
    health = staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=dinkes)
    return sip_offering.agency, dinkes, front, health


def _draft_sip(sip_offering, citizen, **form):
    from catalog.models import ServiceVersion

    version = ServiceVersion.objects.get(pk=sip_offering.service_version_id)
    data, _village = _form(version, **form)
    return Application.objects.create(
        offering=sip_offering, service_code=sip_offering.service_code,
        service_version_id=version.pk, agency=sip_offering.agency, applicant_id=citizen.pk,
        form_data=data,
    )


def _record():
    return {"nomor_str_terverifikasi": "KKI.3273/STR-2024/0001",
            "masa_berlaku_str": "seumur hidup",
            "rekomendasi_teknis": SimpleUploadedFile("rekomendasi.pdf", PDF)}


def test_a_sip_passes_from_the_front_office_to_dinkes_and_back_for_the_decision(
    two_opds, sip_offering, citizen, tenant_a, in_tenant
):
    dpmptsp, dinkes, front, health = two_opds
    with time_machine.travel(TUESDAY, tick=False), in_tenant(tenant_a):
        app = _draft_sip(sip_offering, citizen)
        _go(app, "submit", citizen)
        # the front office (DPMPTSP) holds the file; Dinkes does not know it exists yet
        with pytest.raises(ApplicationNotFound):
            _go(app, "start_verification", health)
        _go(app, "start_verification", front)
        app = _go(app, "accept", front)
        assert (app.current_step, app.agency_id) == ("verifikasi_teknis", dinkes.pk)

        # now the front office sees the file but cannot act on Dinkes' step
        with pytest.raises(WrongRole):
            _go(app, "forward", front, record=_record())
        # and the decision is not taken at the technical step
        with pytest.raises(IllegalTransition):
            _go(app, "approve", health)
        loaded = Application.objects.select_related("service_version").get(pk=app.pk)
        assert "forward" in [t.action for t in allowed_actions(loaded, user=health)]
        assert allowed_actions(loaded, user=front) == []

        # Dinkes must record the STR check and upload the recommendation to pass it on
        with pytest.raises(InvalidApplication) as refused:
            _go(app, "forward", health, record={"masa_berlaku_str": "seumur hidup"})
        assert set(refused.value.extra["fields"]) == {
            "nomor_str_terverifikasi", "rekomendasi_teknis"}
        assert Application.objects.get(pk=app.pk).current_step == "verifikasi_teknis"
        app = _go(app, "forward", health, record=_record())
        # jenis_praktik "fasilitas_kesehatan": no field check; back to DPMPTSP for the decision
        assert (app.current_step, app.agency_id) == ("keputusan", dpmptsp.pk)
        with pytest.raises(WrongRole):
            _go(app, "approve", health)
        app = _go(app, "approve", front)
        assert (app.status, app.current_step) == ("approved", "serah_terima")

        steps = list(ApplicationStep.objects.filter(application=app).order_by("id"))
        assert [(s.step_code, s.agency_id, s.outcome) for s in steps] == [
            ("verifikasi_administrasi", dpmptsp.pk, "forward"),
            ("verifikasi_teknis", dinkes.pk, "forward"),
            ("keputusan", dpmptsp.pk, "approve"),
            ("serah_terima", dpmptsp.pk, ""),
        ]
        technical = steps[1]
        assert technical.record["nomor_str_terverifikasi"] == "KKI.3273/STR-2024/0001"
        assert len(technical.record["rekomendasi_teknis"]["sha256"]) == 64
        assert technical.assignee_id == health.pk
        assert all(s.due_at is not None for s in steps)
        assert sorted(app.involved_agencies) == sorted([dpmptsp.pk, dinkes.pk])
        handoff = ApplicationEvent.objects.filter(application=app, data__action="forward").get()
        assert handoff.data["from_step"] == "verifikasi_teknis"
        assert handoff.data["step"] == "keputusan"
        assert handoff.data["record"]["rekomendasi_teknis"] == "rekomendasi.pdf"


def test_a_step_has_its_own_deadline_which_waits_while_the_citizen_corrects(
    two_opds, sip_offering, citizen, tenant_a, in_tenant
):
    _dpmptsp, _dinkes, front, health = two_opds
    with in_tenant(tenant_a):
        with time_machine.travel(TUESDAY, tick=False):
            app = _draft_sip(sip_offering, citizen)
            _go(app, "submit", citizen)
            _go(app, "start_verification", front)
            _go(app, "accept", front)
        technical = ApplicationStep.objects.get(application=app, finished_at__isnull=True)
        # 2 working days from Tuesday morning: by the end of Thursday's working hours
        assert _local(technical.due_at).date() == dt.date(2026, 12, 10)
        with time_machine.travel(TUESDAY + dt.timedelta(hours=1), tick=False):
            _go(app, "return", health, note="STR tidak terbaca, unggah ulang.")
        technical.refresh_from_db()
        assert technical.paused_at is not None and technical.due_at is None
        # a whole working day later the citizen resubmits: the step is due one day later
        with time_machine.travel(TUESDAY + dt.timedelta(days=1, hours=1), tick=False):
            _go(app, "resubmit", citizen)
            app = _go(app, "process", health)
        technical.refresh_from_db()
        assert app.current_step == "verifikasi_teknis"  # back to the same step and OPD
        assert technical.paused_at is None
        assert _local(technical.due_at).date() == dt.date(2026, 12, 11)


def test_the_field_check_applies_only_to_an_independent_practice(
    two_opds, sip_offering, citizen, tenant_a, in_tenant
):
    _dpmptsp, dinkes, front, health = two_opds
    with time_machine.travel(TUESDAY, tick=False), in_tenant(tenant_a):
        app = _draft_sip(sip_offering, citizen, jenis_praktik="mandiri")
        _go(app, "submit", citizen)
        _go(app, "start_verification", front)
        _go(app, "accept", front)
        app = _go(app, "forward", health, record=_record())
        assert (app.current_step, app.agency_id) == ("pemeriksaan_lapangan", dinkes.pk)
        # the inspection can send the file back to the technical check
        app = _go(app, "send_back", health, note="Rekomendasi perlu direvisi.")
        assert app.current_step == "verifikasi_teknis"
        assert ApplicationStep.objects.filter(application=app, step_code="verifikasi_teknis").count() == 2


def test_an_application_of_a_version_without_workflow_has_one_step_at_its_opd(
    kk_offering, submit_kk, staff, tenant_a, in_tenant
):
    from catalog.models import ServiceVersion

    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    with in_tenant(tenant_a):
        ServiceVersion.objects.filter(pk=kk_offering.service_version_id).update(workflow={})
        # the submission uses the version as the caller loaded it with the offering (a
        # request loads it fresh; published versions do not change): reload it here
        kk_offering.service_version.refresh_from_db()
        app = submit_kk()
        _go(app, "start_verification", officer)
        app = _go(app, "accept", officer)
        assert app.current_step == "proses" and app.agency_id == kk_offering.agency_id
        assert _go(app, "approve", officer).status == "approved"


def test_existing_applications_move_to_the_single_step_workflow(
    submit_kk, kk_offering, staff, tenant_a, in_tenant
):
    from django.apps import apps

    migration = importlib.import_module("applications.migrations.0005_workflow_steps")
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    with in_tenant(tenant_a):
        open_app, done_app = submit_kk(), submit_kk()
        _go(done_app, "start_verification", officer)
        _go(done_app, "reject", officer, note="Bukan penduduk.")
        # as they were before workflows: no step rows, no current step
        ApplicationStep.objects.all().delete()
        Application.objects.update(current_step="", involved_agencies=[])
        migration.existing_applications_to_single_step(apps, None)
        migration.existing_applications_to_single_step(apps, None)  # idempotent
        for app in (open_app, done_app):
            app.refresh_from_db()
            assert app.current_step == "proses" and app.involved_agencies == [app.agency_id]
        assert ApplicationStep.objects.get(application=open_app).finished_at is None
        assert ApplicationStep.objects.get(application=done_app).outcome == "reject"


def test_every_seeded_service_has_a_workflow_with_an_opd_kind_and_an_sla_at_every_step():
    seed = Path(__file__).resolve().parents[2] / "catalog" / "seed"
    services = []
    for name in ("adminduk.yaml", "perizinan_kesehatan.yaml"):
        services += yaml.safe_load((seed / name).read_text())["services"]
    assert len(services) == 20
    for entry in services:
        workflow = entry.get("workflow")
        assert workflow, entry["code"]
        assert workflow_errors(workflow) == [], entry["code"]
        for step in workflow["steps"]:
            assert step["agency_kind"] in AGENCY_KINDS
            assert step["sla"]["value"] >= 1 and step["sla"]["source"]
        if entry["category"] == "IZN":  # the SIP family crosses OPDs
            assert {s["agency_kind"] for s in workflow["steps"]} == {"dpmptsp", "dinkes"}


def test_pages_show_each_opd_its_own_steps_and_the_citizen_where_the_file_is(
    two_opds, sip_offering, citizen, tenant_a, in_tenant
):
    from django.test import Client

    from tests.hosts import host_of

    _dpmptsp, dinkes, front, health = two_opds
    host = host_of(tenant_a)
    health_client, front_client, citizen_client = Client(HTTP_HOST=host), Client(
        HTTP_HOST=host), Client(HTTP_HOST=host)
    with time_machine.travel(TUESDAY, tick=False):
        health_client.force_login(health)
        front_client.force_login(front)
        citizen_client.force_login(citizen)
        with in_tenant(tenant_a):
            app = _go(_draft_sip(sip_offering, citizen), "submit", citizen)
        # before the hand-off Dinkes has no part in the file: not in its worklist, not found
        assert app.tracking_code not in health_client.get("/kelola/permohonan/").content.decode()
        assert health_client.get(f"/kelola/permohonan/{app.pk}/").status_code == 404
        with in_tenant(tenant_a):
            _go(app, "start_verification", front)
            _go(app, "accept", front)
        # after it: in Dinkes' worklist, with the fields to record on the forward form
        assert app.tracking_code in health_client.get("/kelola/permohonan/").content.decode()
        page = health_client.get(f"/kelola/permohonan/{app.pk}/").content.decode()
        assert 'name="record_rekomendasi_teknis"' in page and "Alur layanan" in page
        # the front office still sees the file, with no action on Dinkes' step
        page = front_client.get(f"/kelola/permohonan/{app.pk}/").content.decode()
        assert 'data-action="forward"' not in page
        # the citizen sees which OPD holds the file and by when the step is due
        page = citizen_client.get(f"/permohonan/{app.pk}/").content.decode()
        assert f"Berkas sekarang di <strong>{dinkes}</strong>" in page
        assert "ditargetkan selesai paling lambat" in page
        # a forward without the recommendation keeps the file where it is, with the reason
        response = health_client.post(f"/kelola/permohonan/{app.pk}/aksi/", {
            "action": "forward", "record_nomor_str_terverifikasi": "KKI.1",
            "record_masa_berlaku_str": "seumur hidup",
        })
        assert response["X-Error-Status"] == "400"
        response = health_client.post(f"/kelola/permohonan/{app.pk}/aksi/", {
            "action": "forward", "record_nomor_str_terverifikasi": "KKI.1",
            "record_masa_berlaku_str": "seumur hidup",
            "record_rekomendasi_teknis": SimpleUploadedFile("rek.pdf", PDF),
        })
        assert response.status_code == 302 and "X-Error-Status" not in response
        # the API tells the route too (issue 13 item 7)
        body = citizen_client.get(f"/api/v1/applications/{app.tracking_code}/").json()
        assert body["current_step"] == "keputusan"
        assert [(s["code"], s["status"]) for s in body["steps"]] == [
            ("verifikasi_administrasi", "forward"), ("verifikasi_teknis", "forward"),
            ("keputusan", "open")]
        assert body["steps"][1]["agency"] == dinkes.name


def test_the_tenant_maps_each_opd_kind_and_go_live_waits_for_it(
    sip_offering, tenant_a, tenant_b, in_tenant, staff_user
):
    from django.test import Client

    from agencies.models import AgencyKindMapping
    from agencies.services import agency_create
    from audit.models import AuditEvent
    from onboarding.selectors import wizard_steps
    from services.selectors import unmapped_agency_kinds
    from tests.hosts import host_of

    admin = staff_user(tenant_a)
    officer = staff_user(tenant_a, role=StaffRole.Role.OFFICER, agency=sip_offering.agency)
    admin_b = staff_user(tenant_b)
    with in_tenant(tenant_a):
        dinkes = agency_create(name="Dinas Kesehatan", short_name="Dinkes")
        assert unmapped_agency_kinds() == {"dpmptsp": ["SIP-DOKTER"], "dinkes": ["SIP-DOKTER"]}
    services_step = next(s for s in wizard_steps(tenant=tenant_a) if s.key == "services")
    assert not services_step.done and "dinkes" in services_step.note

    client = Client(HTTP_HOST=host_of(tenant_a))
    client.force_login(admin)
    page = client.get("/kelola/layanan/alur/").content.decode()
    assert "Verifikasi teknis dan rekomendasi" in page and "belum dipetakan" in page
    # an officer may read the page but not change the mapping
    officer_client = Client(HTTP_HOST=host_of(tenant_a))
    officer_client.force_login(officer)
    assert officer_client.post("/kelola/layanan/alur/", {
        "kind": "dinkes", "agency": dinkes.pk}).status_code == 403
    # another tenant's admin cannot map this tenant's OPD (it does not exist there)
    client_b = Client(HTTP_HOST=host_of(tenant_b))
    client_b.force_login(admin_b)
    client_b.post("/kelola/layanan/alur/", {"kind": "dinkes", "agency": dinkes.pk})
    for tenant in (tenant_a, tenant_b):
        with in_tenant(tenant):
            assert not AgencyKindMapping.objects.exists()
    # the admin maps both kinds
    for kind, agency in (("dinkes", dinkes), ("dpmptsp", sip_offering.agency)):
        assert client.post("/kelola/layanan/alur/", {"kind": kind, "agency": agency.pk}
                           ).status_code == 302
    with in_tenant(tenant_a):
        assert unmapped_agency_kinds() == {}
        assert dict(AgencyKindMapping.objects.values_list("kind", "agency_id")) == {
            "dinkes": dinkes.pk, "dpmptsp": sip_offering.agency_id}
        assert AuditEvent.objects.filter(action="agency_kind.map", actor_id=admin.pk).count() == 2
    assert next(s for s in wizard_steps(tenant=tenant_a) if s.key == "services").done


def test_the_migration_moves_an_application_in_every_status_and_loses_none(
    submit_kk, kk_offering, staff, tenant_a, in_tenant
):
    """Issue 13 item 6: a tenant with applications in every status before workflows."""
    from django.apps import apps

    from applications.models import Status

    migration = importlib.import_module("applications.migrations.0005_workflow_steps")
    officer = staff(StaffRole.Role.OFFICER, kk_offering)
    # approved: decided, but its hand-over is still to come, so its step stays open
    closed = {"rejected": "reject", "completed": "complete", "cancelled": "cancel"}
    from catalog.models import ServiceVersion

    with in_tenant(tenant_a):
        # they were written on a version from before workflows (no steps)
        ServiceVersion.objects.filter(pk=kk_offering.service_version_id).update(workflow={})
        by_status = {}
        for status in Status.values:
            app = submit_kk()
            Application.objects.filter(pk=app.pk).update(status=status)
            by_status[status] = app.pk
        ApplicationStep.objects.all().delete()
        Application.objects.update(current_step="", involved_agencies=[])
        before = Application.objects.count()
        migration.existing_applications_to_single_step(apps, None)
        assert Application.objects.count() == before  # none is lost
        for status, pk in by_status.items():
            app = Application.objects.get(pk=pk)
            steps = list(ApplicationStep.objects.filter(application_id=pk))
            assert app.status == status
            if status == "draft":  # a draft has not reached any OPD yet
                assert (app.current_step, steps) == ("", [])
                continue
            assert app.current_step == "proses", status
            assert len(steps) == 1 and steps[0].agency_id == app.agency_id, status
            assert steps[0].outcome == closed.get(status, ""), status
            assert (steps[0].finished_at is None) == (status not in closed), status
        # a migrated open application goes on through the state machine
        app = _go(Application(pk=by_status["in_process"]), "approve", officer)
        assert app.status == "approved"
        assert ApplicationStep.objects.get(application=app).outcome == "approve"
