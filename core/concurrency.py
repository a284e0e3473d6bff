"""Run an independent read beside the current one, on its own database connection.

A page whose sections are independent SQL statements (the tenant dashboard: applications,
queue, IKM, complaints) waits for their sum; with :func:`beside` it waits for the longest
of two chains. The side job runs in one worker thread per process with its own connection
(kept between jobs under ``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS``, as a request's is; one
more connection per web process, docs/operations.md §6), bound to the caller's tenant schema,
language and time zone for the job (docs/adr/0017).

Inside a transaction (``ATOMIC`` blocks, the tests' wrapping transaction) the job runs
inline instead: another connection could not see the caller's uncommitted rows. Reads
only: the side connection is in autocommit and the two see different snapshots.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.db import connection
from django.utils import timezone, translation

T = TypeVar("T")

_PREFIX = "mpp-beside"
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pid = 0


def _pool() -> ThreadPoolExecutor:
    """The process's one side thread (made again in a forked child: gunicorn's workers)."""
    global _executor, _pid
    with _lock:
        if _executor is None or _pid != os.getpid():
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=_PREFIX)
            _pid = os.getpid()
        return _executor


def _run_in_tenant(tenant: object, language: str | None, zone: object,
                   job: Callable[[], T]) -> T:
    # what Django does with a request's connection at its start and end: reconnect if
    # broken, keep it under CONN_MAX_AGE (0, as with the psycopg pool: give it back now)
    connection.close_if_unusable_or_obsolete()
    try:
        if tenant is not None:
            connection.set_tenant(tenant)
        else:
            connection.set_schema_to_public()
        with translation.override(language), timezone.override(zone):  # the caller's
            return job()
    finally:
        connection.close_if_unusable_or_obsolete()


class _Done(Future):
    def __init__(self, value: object) -> None:
        super().__init__()
        self.set_result(value)


def beside(job: Callable[[], T]) -> Future[T]:
    """Start ``job`` (reads only, no arguments: close over them) on the side connection in the
    current tenant's schema; ``.result()`` waits for it and re-raises its error. Runs it
    inline and returns a done future when the current connection is in a transaction, when
    called from a side job (one side thread: waiting on it from itself would never end) or
    with ``MPP_BESIDE=0``."""
    if connection.in_atomic_block or os.environ.get("MPP_BESIDE") == "0" \
            or threading.current_thread().name.startswith(_PREFIX):  # (a job's own: inline)
        return _Done(job())
    tenant = getattr(connection, "tenant", None)
    if getattr(tenant, "schema_name", None) == "public":
        tenant = None
    return _pool().submit(_run_in_tenant, tenant, translation.get_language(),
                          timezone.get_current_timezone(), job)


def beside_shutdown() -> None:
    """Close the side connection and stop the side thread (test teardown: a connection left
    open would keep the test database from being dropped)."""
    global _executor
    with _lock:
        executor, _executor = _executor, None
    if executor is not None and _pid == os.getpid():
        executor.submit(lambda: connection.close()).result()  # the side thread's own
        executor.shutdown(wait=True)


__all__ = ["beside", "beside_shutdown"]
