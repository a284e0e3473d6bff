"""Tenants tighten a workflow step's SLA, never beyond the national maximum (issue 13): the
service, the runtime (the step row opens with the tightened target), the policy page, the
route page, the permission and the tenant boundary."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agencies.models import StaffRole
from applications.tests.conftest import (  # noqa: F401 - fixtures of the SIP runtime test
    _apps_catalog,
    catalog,
    citizen,
    sip_offering,
)
from audit.models import AuditEvent
from services.tests.factories import service_version
from sla.errors import InvalidPolicy
from sla.models import SlaPolicy
from sla.selectors import effective_step_target, step_slas, step_target
from sla.services import sla_policy_set_step_targets

# Tuesday 8 December 2026, 09:00 WIB: a working day (no holiday in the week).
TUESDAY = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)

WORKFLOW = {"steps": [
    {"code": "verifikasi_administrasi", "name": "Verifikasi administrasi", "agency_kind": "dpmptsp",
     "sla": {"value": 1, "unit": "working_days"}, "outcomes": ["forward", "return", "reject"]},
    {"code": "verifikasi_teknis", "name": "Verifikasi teknis Dinkes", "agency_kind": "dinkes",
     "sla": {"value": 3, "unit": "working_days"}, "outcomes": ["forward", "return", "reject"]},
    {"code": "keputusan", "name": "Keputusan", "agency_kind": "dpmptsp",
     "sla": {"value": 8, "unit": "working_hours"}, "outcomes": ["decide", "send_back"]},
]}


@pytest.fixture
def flow_offering_a(tenant_a, in_tenant, agency_a):
    from services.services import offering_adopt

    version = service_version(code="T-ALR", category_code="IZN", name="Izin Beralur Uji",
                              sla_value=5, workflow=WORKFLOW)
    with in_tenant(tenant_a):
        return offering_adopt(service_version=version, agency=agency_a, channel="online",
                              actor=None)


def _policy(tenant, in_tenant) -> dict:
    with in_tenant(tenant):
        return SlaPolicy.objects.values(
            "target_value", "target_unit", "at_risk_threshold", "deemed_approval",
            "step_targets", "updated_by_id",
        ).get(offering__service_code="T-ALR")


def _audits(tenant, in_tenant) -> int:
    with in_tenant(tenant):
        return AuditEvent.objects.filter(
            action="sla_policy.step_targets", tenant_schema=tenant.schema_name
        ).count()


# --------------------------------------------------------------------------- service


@pytest.mark.parametrize(
    ("targets", "field", "message"),
    [
        ({"verifikasi_teknis": 4}, "step_verifikasi_teknis",
         'SLA langkah "Verifikasi teknis Dinkes" paling lama 3 hari kerja (batas nasional).'),
        ({"keputusan": {"value": 9, "unit": "working_hours"}}, "step_keputusan",
         'SLA langkah "Keputusan" paling lama 8 jam kerja (batas nasional).'),
        ({"keputusan": {"value": 1, "unit": "working_days"}}, "step_keputusan",
         'Satuan SLA langkah "Keputusan" harus jam kerja, sama dengan katalog nasional.'),
        ({"verifikasi_teknis": 0}, "step_verifikasi_teknis",
         'SLA langkah "Verifikasi teknis Dinkes" harus bilangan bulat paling sedikit 1.'),
        ({"survei": 1}, "step_survei",
         'Langkah "survei" tidak ada di alur layanan T-ALR.'),
    ],
)
def test_a_step_sla_above_the_national_maximum_is_refused_and_nothing_changes(
    tenant_a, in_tenant, flow_offering_a, staff_user, targets, field, message
):
    admin = staff_user(tenant_a)
    before = _policy(tenant_a, in_tenant)
    with in_tenant(tenant_a):
        with pytest.raises(InvalidPolicy) as caught:
            # a valid tightening in the same call is not saved either
            sla_policy_set_step_targets(
                offering=flow_offering_a, actor=admin,
                targets={"verifikasi_administrasi": None, **targets},
            )
    assert caught.value.fields == {field: [message]}
    assert caught.value.code == "invalid_sla_policy"
    assert _policy(tenant_a, in_tenant) == before
    assert _audits(tenant_a, in_tenant) == 0


def test_tightening_is_saved_audited_with_the_actor_and_undone_by_the_maximum(
    tenant_a, in_tenant, flow_offering_a, staff_user
):
    admin = staff_user(tenant_a)
    with in_tenant(tenant_a):
        sla_policy_set_step_targets(offering=flow_offering_a, actor=admin, targets={
            "verifikasi_administrasi": 1,  # the maximum itself: nothing to store
            "verifikasi_teknis": 2,
            "keputusan": {"value": 4, "unit": "working_hours"},
        })
        policy = SlaPolicy.objects.get(offering=flow_offering_a)
        assert policy.step_targets == {
            "verifikasi_teknis": {"value": 2, "unit": "working_days"},
            "keputusan": {"value": 4, "unit": "working_hours"},
        }
        assert policy.updated_by_id == admin.pk
        event = AuditEvent.objects.get(action="sla_policy.step_targets")
        assert event.actor_id == admin.pk
        assert event.changes["offering"] == "T-ALR"
        assert event.changes["step_targets"][0] == {}
        # the same targets again: no change, no second audit row
        sla_policy_set_step_targets(offering=flow_offering_a, actor=admin, targets={
            "verifikasi_teknis": 2, "keputusan": {"value": 4, "unit": "working_hours"},
        })
        assert AuditEvent.objects.filter(action="sla_policy.step_targets").count() == 1
        # the maximum (or an empty field) goes back to the national SLA
        sla_policy_set_step_targets(offering=flow_offering_a, actor=admin, targets={
            "verifikasi_teknis": 3, "keputusan": None,
        })
        assert SlaPolicy.objects.get(offering=flow_offering_a).step_targets == {}
        assert [(s.code, s.value, s.tightened) for s in step_slas(
            offering=SlaPolicy.objects.get(offering=flow_offering_a).offering
        )] == [("verifikasi_administrasi", 1, False), ("verifikasi_teknis", 3, False),
               ("keputusan", 8, False)]


def test_the_effective_target_is_never_above_the_catalogue():
    targets = {"a": {"value": 2, "unit": "working_days"}, "b": {"value": 9, "unit": "working_days"},
               "c": {"value": 1, "unit": "working_hours"}, "d": {"value": True, "unit": "x"}}
    assert effective_step_target(targets, "a", 3, "working_days") == (2, "working_days")
    # left over from an older catalogue version: longer, or in another unit -> the catalogue's
    assert effective_step_target(targets, "b", 3, "working_days") == (3, "working_days")
    assert effective_step_target(targets, "c", 3, "working_days") == (3, "working_days")
    assert effective_step_target(targets, "d", 3, "working_days") == (3, "working_days")
    assert effective_step_target(None, "a", 3, "working_days") == (3, "working_days")


def test_step_target_reads_one_small_query(
    tenant_a, in_tenant, flow_offering_a, django_assert_num_queries
):
    with in_tenant(tenant_a):
        sla_policy_set_step_targets(offering=flow_offering_a, actor=None,
                                    targets={"verifikasi_teknis": 1})
        with django_assert_num_queries(1):
            assert step_target(flow_offering_a.pk, "verifikasi_teknis", 3, "working_days") == (
                1, "working_days")


# --------------------------------------------------------------------------- runtime


@pytest.fixture
def mapped_sip(sip_offering, tenant_a, in_tenant, staff_user):  # noqa: F811
    """The SIP offering with both OPD kinds mapped, and an officer of the front office."""
    from agencies.services import agency_create, agency_kind_map

    with in_tenant(tenant_a):
        dinkes = agency_create(name="Dinas Kesehatan", short_name="Dinkes")
        agency_kind_map(kind="dpmptsp", agency=sip_offering.agency)
        agency_kind_map(kind="dinkes", agency=dinkes)
    return sip_offering, staff_user(tenant_a, role=StaffRole.Role.OFFICER,
                                    agency=sip_offering.agency)


def _accepted(offering, front, citizen, tenant, in_tenant):  # noqa: F811
    """A SIP application accepted at the front office on Tuesday 09:00: the technical step
    (Dinas Kesehatan, 2 working days in the catalogue) opens then. Its open step row."""
    from applications.models import Application, ApplicationStep
    from applications.statemachine import application_transition
    from applications.tests.test_output_sip import _form
    from catalog.models import ServiceVersion

    with time_machine.travel(TUESDAY, tick=False), in_tenant(tenant):
        version = ServiceVersion.objects.get(pk=offering.service_version_id)
        data, _village = _form(version)
        app = Application.objects.create(
            offering=offering, service_code=offering.service_code,
            service_version_id=version.pk, agency=offering.agency, applicant_id=citizen.pk,
            form_data=data,
        )
        for action, actor in (("submit", citizen), ("start_verification", front),
                              ("accept", front)):
            application_transition(application_id=app.pk, action=action, actor=actor)
        return ApplicationStep.objects.get(application=app, finished_at__isnull=True)


def test_a_tightened_step_opens_with_an_earlier_due_date(
    mapped_sip, citizen, tenant_a, in_tenant, staff_user  # noqa: F811
):
    offering, front = mapped_sip
    wib = ZoneInfo("Asia/Jakarta")
    national = _accepted(offering, front, citizen, tenant_a, in_tenant)
    assert (national.step_code, national.sla_value, national.sla_unit) == (
        "verifikasi_teknis", 2, "working_days")
    assert national.due_at.astimezone(wib).date() == dt.date(2026, 12, 10)

    with in_tenant(tenant_a):
        sla_policy_set_step_targets(offering=offering, actor=staff_user(tenant_a),
                                    targets={"verifikasi_teknis": 1})
    tightened = _accepted(offering, front, citizen, tenant_a, in_tenant)
    assert (tightened.step_code, tightened.sla_value, tightened.sla_unit) == (
        "verifikasi_teknis", 1, "working_days")
    assert tightened.due_at.astimezone(wib).date() == dt.date(2026, 12, 9)
    assert tightened.due_at < national.due_at
    # the step already open keeps the target it opened with
    with in_tenant(tenant_a):
        national.refresh_from_db()
    assert (national.sla_value, national.due_at.astimezone(wib).date()) == (
        2, dt.date(2026, 12, 10))


# --------------------------------------------------------------------------- pages


@pytest.fixture
def admin_client_a(client_a, tenant_a, staff_user):
    client_a.force_login(staff_user(tenant_a))
    return client_a


STEPS_URL = "/kelola/sla/layanan/T-ALR/langkah/"


def test_the_policy_page_has_a_field_per_step_with_its_national_maximum(
    admin_client_a, flow_offering_a
):
    html = admin_client_a.get("/kelola/sla/layanan/T-ALR/").content.decode()
    assert "SLA per langkah alur" in html
    assert "Verifikasi teknis Dinkes" in html
    assert "paling lama 3 hari kerja (batas nasional)" in html
    assert "paling lama 8 jam kerja (batas nasional)" in html
    assert 'name="step_verifikasi_teknis"' in html and 'max="3"' in html


def test_the_steps_form_refuses_above_the_maximum_keeps_the_input_and_saves_nothing(
    admin_client_a, tenant_a, in_tenant, flow_offering_a
):
    before = _policy(tenant_a, in_tenant)
    response = admin_client_a.post(STEPS_URL, {
        "step_verifikasi_administrasi": "1", "step_verifikasi_teknis": "5",
        "step_keputusan": "4",
    })
    html = response.content.decode()
    assert response.status_code == 400
    assert ("SLA langkah &quot;Verifikasi teknis Dinkes&quot; paling lama 3 hari kerja "
            "(batas nasional).") in html
    assert 'value="5"' in html and 'value="4"' in html
    not_a_number = admin_client_a.post(STEPS_URL, {"step_verifikasi_teknis": "dua"})
    assert not_a_number.status_code == 400
    assert "harus berupa bilangan bulat" in not_a_number.content.decode()
    assert _policy(tenant_a, in_tenant) == before
    assert _audits(tenant_a, in_tenant) == 0


def test_a_tightened_step_shows_on_the_route_page(
    admin_client_a, tenant_a, in_tenant, flow_offering_a
):
    response = admin_client_a.post(STEPS_URL, {
        "step_verifikasi_administrasi": "1", "step_verifikasi_teknis": "2",
        "step_keputusan": "",
    })
    assert response.status_code == 302
    assert _policy(tenant_a, in_tenant)["step_targets"] == {
        "verifikasi_teknis": {"value": 2, "unit": "working_days"}}
    html = admin_client_a.get("/kelola/layanan/alur/").content.decode()
    assert "Verifikasi teknis Dinkes" in html
    assert "2 hari kerja" in html and "diperketat" in html
    assert "batas nasional 3 hari kerja" in html
    # the other steps keep their national SLA, unmarked
    assert html.count('>diperketat<') == 1
    assert "8 jam kerja" in html
    # the form shows the tightened value next time
    assert 'value="2"' in admin_client_a.get("/kelola/sla/layanan/T-ALR/").content.decode()


def test_only_a_tenant_admin_changes_step_targets(
    client_a, tenant_a, in_tenant, staff_user, agency_a, flow_offering_a, user_factory
):
    before = _policy(tenant_a, in_tenant)
    for role in (StaffRole.Role.OFFICER, StaffRole.Role.AGENCY_HEAD):
        client_a.force_login(staff_user(tenant_a, role=role, agency=agency_a))
        assert client_a.post(STEPS_URL, {"step_verifikasi_teknis": "1"}).status_code == 403
    client_a.force_login(user_factory())
    assert client_a.post(STEPS_URL, {"step_verifikasi_teknis": "1"}).status_code == 403
    client_a.logout()
    assert client_a.post(STEPS_URL, {"step_verifikasi_teknis": "1"}).status_code in (302, 403)
    assert client_a.get(STEPS_URL).status_code in (302, 403, 405)
    assert _policy(tenant_a, in_tenant) == before
    assert _audits(tenant_a, in_tenant) == 0


def test_an_admin_of_b_cannot_change_step_targets_of_a(
    tenant_a, tenant_b, in_tenant, staff_user, client_a, client_b, flow_offering_a
):
    admin_b = staff_user(tenant_b)
    client_a.force_login(admin_b)
    client_b.force_login(admin_b)
    before = _policy(tenant_a, in_tenant)
    # on A's host B's admin has no role; on B's host A's offering does not exist
    assert client_a.post(STEPS_URL, {"step_verifikasi_teknis": "1"}).status_code == 403
    assert client_b.post(STEPS_URL, {"step_verifikasi_teknis": "1"}).status_code == 404
    assert _policy(tenant_a, in_tenant) == before
    assert _audits(tenant_a, in_tenant) == 0
    assert _audits(tenant_b, in_tenant) == 0
