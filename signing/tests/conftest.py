"""Fixtures of the signing tests: the applications fixtures (tenant A/B, SIP offering,
citizen, staff) and a helper that approves and issues a SIP output."""

from __future__ import annotations

import pytest

from applications.tests.conftest import *  # noqa: F403 - reuse the applications fixtures
from applications.tests.conftest import _apps_catalog  # noqa: F401


@pytest.fixture
def issue_sip(citizen, sip_offering, staff, tenant_a, in_tenant,
              django_capture_on_commit_callbacks):
    """`issue_sip()` → the application with a generated (and, on commit, signed) SIP output."""
    from agencies.models import StaffRole
    from applications.tests.test_output_sip import _approved_and_issued

    head = staff(StaffRole.Role.AGENCY_HEAD, sip_offering)
    head.full_name = "Dr. Bambang Kepala"
    head.save(update_fields=["full_name"])

    def _issue():
        with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
            app, _version, _village = _approved_and_issued(sip_offering, citizen, head)
        with in_tenant(tenant_a):
            app.refresh_from_db()
        return app

    _issue.head = head
    return _issue


def output_bytes(app, tenant, in_tenant) -> bytes:
    with in_tenant(tenant), app.output_file.open("rb") as handle:
        return handle.read()
