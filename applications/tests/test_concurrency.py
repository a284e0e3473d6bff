"""Double-click safety with real concurrent transactions: two connections (threads) make the
same transition at the same time; exactly one succeeds, the other gets 409.

The data is committed by a setup thread (the test's own transaction is invisible to other
connections) and removed again afterwards."""

from __future__ import annotations

import threading
import uuid

from django.db import connection, connections
from django_tenants.utils import schema_context

from agencies.models import StaffRole


def _in_thread(func, *args):
    result: dict = {}

    def run():
        try:
            result["value"] = func(*args)
        except Exception as exc:  # reported to the test
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    return result


def test_two_concurrent_clicks_make_exactly_one_transition(catalog, tenant_a):
    from accounts.models import User
    from agencies.services import agency_create, staff_role_grant
    from applications.models import Application, ApplicationEvent
    from catalog.models import ServiceVersion
    from services.models import Offering
    from services.services import offering_adopt

    tag = uuid.uuid4().hex[:8]

    def setup():
        with schema_context("public"):
            citizen = User.objects.create_user(f"c-{tag}@example.id", "x", full_name="Warga")
            officer = User.objects.create_user(f"o-{tag}@example.id", "x", full_name="Petugas")
            version = ServiceVersion.objects.filter(
                service__code="KTP-BARU", status="published").order_by("-number").first()
        connection.set_tenant(tenant_a)
        agency = agency_create(name=f"OPD {tag}", short_name=f"T{tag}")
        staff_role_grant(user=officer, role=StaffRole.Role.OFFICER, agency=agency)
        offering = Offering.objects.filter(service_code="KTP-BARU").first() or offering_adopt(
            service_version=version, agency=agency, channel="online", actor=None)
        app = Application.objects.create(
            offering=offering, service_code=offering.service_code,
            service_version_id=offering.service_version_id, agency=agency,
            applicant_id=citizen.pk, status="submitted", tracking_code=f"3273-KTPBARU-9901-{tag}",
        )
        return citizen.pk, officer.pk, agency.pk, offering.pk, app.pk

    created = _in_thread(setup)
    assert "error" not in created, created.get("error")
    citizen_id, officer_id, agency_id, _offering_id, app_id = created["value"]
    barrier = threading.Barrier(2)

    def click():
        from applications.statemachine import application_transition

        connection.set_tenant(tenant_a)
        with schema_context("public"):
            officer = User.objects.get(pk=officer_id)
        connection.set_tenant(tenant_a)
        barrier.wait(10)
        return application_transition(
            application_id=app_id, action="start_verification", actor=officer
        ).status

    try:
        outcomes: list[dict] = [{}, {}]
        threads = [
            threading.Thread(target=lambda i=i: outcomes.__setitem__(i, _in_thread(click)))
            for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        successes = [o for o in outcomes if "value" in o]
        failures = [o["error"] for o in outcomes if "error" in o]
        assert len(successes) == 1 and successes[0]["value"] == "in_verification"
        assert len(failures) == 1 and getattr(failures[0], "status", None) == 409

        def count_events():
            connection.set_tenant(tenant_a)
            return ApplicationEvent.objects.filter(
                application_id=app_id, kind="transition").count()

        assert _in_thread(count_events)["value"] == 1
    finally:
        def cleanup():
            # raw deletes: the collector would follow relations of apps outside this test
            connection.set_tenant(tenant_a)
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM applications_applicationevent WHERE application_id = %s",
                    "DELETE FROM applications_notification WHERE application_id = %s",
                    "DELETE FROM applications_application WHERE id = %s",
                ):
                    cursor.execute(sql, [app_id])
                cursor.execute("DELETE FROM sla_slapolicy WHERE offering_id IN "
                               "(SELECT id FROM services_offering WHERE agency_id = %s)",
                               [agency_id])
                cursor.execute("DELETE FROM services_offering WHERE agency_id = %s", [agency_id])
                cursor.execute("DELETE FROM agencies_staffrole WHERE agency_id = %s", [agency_id])
                cursor.execute("DELETE FROM agencies_agency WHERE id = %s", [agency_id])
            with schema_context("public"):
                users = User.objects.filter(pk__in=[citizen_id, officer_id])
                users._raw_delete(users.db)

        assert "error" not in _in_thread(cleanup)
