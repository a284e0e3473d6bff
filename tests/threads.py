"""Run test code on its own database connection, in autocommit (not a test module).

The tests that need committed rows (another connection, a worker, a second thread must see
them) run their setup, the code under test and the cleanup through :func:`in_thread`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def in_thread(func: Callable[[], Any], *, timeout: float = 300) -> Any:
    """Run ``func`` in a new thread (its own DB connection, autocommit) and return its
    result, or re-raise its error. Refuses anything but the test database."""
    from django.db import connection, connections

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
            box["value"] = func()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=timeout)
    assert not thread.is_alive(), "thread did not finish in time"
    if "error" in box:
        raise box["error"]
    return box.get("value")
