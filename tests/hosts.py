"""Host helpers shared by tests (a plain module: `from conftest import …` resolves to whichever
conftest pytest imported last, e.g. tests/browser/conftest.py)."""

from __future__ import annotations


def host_of(tenant) -> str:
    """The tenant's primary host name, for `Client(HTTP_HOST=…)`."""
    return tenant.domains.get(is_primary=True).domain
