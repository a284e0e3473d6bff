"""The applications fixtures (catalogue, offerings, a verified citizen, staff)."""

from applications.tests.conftest import (  # noqa: F401
    _apps_catalog,
    catalog,
    citizen,
    kk_offering,
    kk_offering_b,
    other_citizen,
    staff,
)
