"""Property-based API test (schemathesis, in process): every operation of the tenant API, as a
tenant admin of tenant A (bearer token), with a fixed seed and a handful of examples each.
Checks: no server error (5xx) and every response conforms to the documented schema
(including the documented error responses). Runs inside the test transaction; webhooks and
notifications never leave (on-commit work does not run)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

TENANT_HOST = "kota-bandung.localhost"
SEED = 20261129
MAX_EXAMPLES = 6
PLATFORM_HOST = "localhost"


@pytest.fixture
def tenant_admin_token(staff_user, tenant_a):
    from django_tenants.utils import schema_context
    from rest_framework.authtoken.models import Token

    admin = staff_user(tenant_a)
    with schema_context("public"):
        return Token.objects.create(user=admin).key


@pytest.fixture
def keep_test_connection(db):
    # like django.test.Client: the WSGI handler must not close the test's connection
    # (it is inside the test transaction) when a request starts or finishes
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(keep_test_connection, tenant_a, tenant_admin_token):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Host": TENANT_HOST}
    )


@pytest.fixture
def platform_schema(keep_test_connection):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Host": PLATFORM_HOST}
    )


def _check_operation(operation, headers):
    """Run one operation's property test; returns the failure text or None."""

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(hypothesis.HealthCheck), phases=[
            hypothesis.Phase.explicit, hypothesis.Phase.generate,
        ],
    )
    @hypothesis.seed(SEED)
    @hypothesis.given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}"
    return None


def test_api_conforms_and_never_errors(api_schema, tenant_admin_token):
    # (schemathesis.pytest.from_fixture needs pytest < 9; one loop over the operations instead)
    headers = {"Host": TENANT_HOST, "Authorization": f"Bearer {tenant_admin_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10
    failures = [f for op in operations if (f := _check_operation(op, headers))]
    assert not failures, "\n\n".join(failures)


def test_platform_api_conforms_and_never_errors(platform_schema):
    # anonymous on the platform host: open data answers, everything else 401/403 as documented
    operations = [result.ok() for result in platform_schema.get_all_operations()]
    failures = [f for op in operations if (f := _check_operation(op, {"Host": PLATFORM_HOST}))]
    assert not failures, "\n\n".join(failures)
