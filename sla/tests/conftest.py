"""Fixtures of the sla app's Django tests (the engine tests need none)."""

from services.tests.fixtures import (  # noqa: F401
    adminduk_version,
    agency_a,
    offering_a,
    permit_offering_a,
    permit_version,
)
