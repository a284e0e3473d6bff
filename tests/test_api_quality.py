"""API quality gates: both OpenAPI documents validate with no warnings, every operation is
versioned under /api/v1/ and documents request/response schemas and the shared errors."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

URLCONFS = ["config.urls_tenant", "config.urls_public"]
ERRORS = {"400", "401", "403", "404", "409", "429"}


@pytest.fixture(scope="module")
def schemas(django_db_setup, django_db_blocker, tmp_path_factory):
    documents = {}
    with django_db_blocker.unblock():
        for urlconf in URLCONFS:
            out = tmp_path_factory.mktemp("schema") / "openapi.yaml"
            call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf,
                         "--file", str(out))
            documents[urlconf] = yaml.safe_load(out.read_text())
    return documents


@pytest.mark.parametrize("urlconf", URLCONFS)
def test_every_operation_is_versioned_and_documented(schemas, urlconf):
    paths = schemas[urlconf]["paths"]
    assert paths, "no operations"
    for path, item in paths.items():
        assert path.startswith("/api/v1/"), path
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation["responses"]
            assert ERRORS <= set(responses), (method, path)
            success = [code for code in responses if code.startswith("2")]
            assert success, (method, path)
            for code in success:
                if code != "204":
                    assert "content" in responses[code], (method, path, code)
            if method in {"post", "put", "patch"} and "requestBody" in operation:
                assert operation["requestBody"]["content"], (method, path)


def test_integrations_endpoints_are_in_the_tenant_document(schemas):
    paths = schemas["config.urls_tenant"]["paths"]
    assert "/api/v1/integrations/status-events/" in paths
    assert "/api/v1/integrations/webhooks/new/" in paths
    assert "/api/v1/open-data/kpis/" in schemas["config.urls_public"]["paths"]
    schemes = schemas["config.urls_tenant"]["components"]["securitySchemes"]
    assert {"opdClientToken", "opdClientSignature"} <= set(schemes)
