"""Lookups that do not change within one operation, read once per operation.

A submission asks for the tenant's OPD-kind mappings twice (who receives the documents, which
OPD opens the first step) and for the same OPD twice (the consent plan, the timeline's
hand-off); inside :func:`scope` the second ask is answered from memory. Outside a scope every
call reads the database, as before. The memo lives only for the `with` block (one request's
service call) and is keyed by schema, so nothing leaks across tenants or requests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("applications_memo",
                                                                   default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Memoize lookups for the duration of the block (nested scopes share the outer one)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    full = (connection.schema_name, *key)
    if full not in memo:
        memo[full] = compute()
    return memo[full]


def remember(key: tuple[Any, ...], value: Any) -> None:
    memo = _memo.get()
    if memo is not None:
        memo[(connection.schema_name, *key)] = value


def agency_kind_mappings() -> dict[str, int]:
    """`agencies.selectors.agency_kind_mappings`, once per scope."""
    from agencies.selectors import agency_kind_mappings as load

    return remembered(("agency_kind_mappings",), load)


def agencies(ids: Iterable[int]) -> dict[int, Any]:
    """{id: Agency} of `ids`, the ones already seen in this scope from memory."""
    from agencies.models import Agency

    wanted = list(dict.fromkeys(ids))
    memo = _memo.get()
    schema = connection.schema_name
    found = {} if memo is None else {
        i: memo[(schema, "agency", i)] for i in wanted if (schema, "agency", i) in memo
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        for pk, agency in Agency.objects.in_bulk(missing).items():
            found[pk] = agency
            remember(("agency", pk), agency)
    return found
