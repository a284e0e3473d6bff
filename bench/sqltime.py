"""Where a benchmarked operation spends its time: SQL (execution and round trip, plus the
commit) versus everything else (Python: views, services, templates, file and broker I/O).

Shared by the bench modules (not a benchmark itself: `bench/__main__.py` only runs
``bench_*`` modules)::

    with SqlTimer() as spent:
        operation()
    spent.seconds, spent.count, spent.commit_seconds, spent.kinds

and :func:`time_split` turns per-round wall and SQL times into the shares the results report.
:class:`Stopwatch` times named parts of the Python side (callables patched for the duration).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any


class SqlTimer:
    """Sums the time spent executing SQL on one connection (`connection.execute_wrapper`)
    and, for writes, in COMMIT (Django commits through the driver, not through a cursor,
    so the wrapper alone would count the commit's WAL flush as Python).

    Also usable as a bare execute wrapper (``connection.execute_wrapper(SqlTimer())``)."""

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.seconds = 0.0  # execute + commit
        self.count = 0  # statements executed (savepoints included, commits not)
        self.commit_seconds = 0.0
        self.commits = 0
        self.kinds: Counter[str] = Counter()  # SELECT / INSERT / UPDATE / SAVEPOINT / ...
        self._stack: Any = None

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - t0
            self.count += 1
            self.kinds[_kind(sql)] += 1

    def __enter__(self) -> SqlTimer:
        from contextlib import ExitStack

        from django.db import connections

        wrapper = connections[self.using]
        self._stack = ExitStack()
        self._stack.enter_context(wrapper.execute_wrapper(self))
        commit = wrapper._commit

        def timed_commit() -> Any:
            t0 = time.perf_counter()
            try:
                return commit()
            finally:
                spent = time.perf_counter() - t0
                self.seconds += spent
                self.commit_seconds += spent
                self.commits += 1

        wrapper._commit = timed_commit  # instance attribute: shadows the method until exit
        self._stack.callback(lambda: wrapper.__dict__.pop("_commit", None))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


class Stopwatch:
    """Time spent inside some callables, patched for the duration of the block::

        with Stopwatch(hooks=(connection, "run_and_clear_commit_hooks")) as parts:
            operation()
        parts.seconds["hooks"]

    A target is (object or module, attribute name); the attribute is looked up at call time
    by its callers (a module global, or an instance attribute shadowing a method). A part may
    contain SQL too (it is not subtracted)."""

    def __init__(self, **targets: tuple[Any, str]) -> None:
        self.targets = targets
        self.seconds = dict.fromkeys(targets, 0.0)
        self._saved: list[tuple[Any, str, Any, bool]] = []

    def __enter__(self) -> Stopwatch:
        for name, (owner, attribute) in self.targets.items():
            original = getattr(owner, attribute)
            own = attribute in getattr(owner, "__dict__", {})
            self._saved.append((owner, attribute, original, own))
            setattr(owner, attribute, self._timed(name, original))
        return self

    def _timed(self, name: str, original: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t0

        return timed

    def __exit__(self, *exc: object) -> None:
        for owner, attribute, original, own in reversed(self._saved):
            if own:  # a module global (or an attribute of the object itself): put it back
                setattr(owner, attribute, original)
            else:  # our instance attribute shadowed a method of the class: remove it
                delattr(owner, attribute)
        self._saved.clear()


def _kind(sql: str) -> str:
    words = sql.lstrip().split(None, 1)
    word = words[0].upper() if words else ""
    if word == "WITH":  # a CTE: name it by the statement that follows (UPDATE … RETURNING …)
        upper = sql.upper()
        for verb in ("UPDATE", "INSERT", "DELETE"):
            if f"\n{verb} " in upper or f") {verb} " in upper:
                return verb
        return "SELECT"
    return word


def time_split(wall_ms: list[float], sql_ms: list[float], *, ms_digits: int = 1
               ) -> dict[str, float | None]:
    """SQL and Python shares of the summed wall time of the rounds, and the median SQL ms."""
    total, sql = sum(wall_ms), sum(sql_ms)
    return {
        "sql_share": round(sql / total, 3) if total else None,
        "python_share": round(1 - sql / total, 3) if total else None,
        "sql_ms_p50": round(statistics.median(sql_ms), ms_digits) if sql_ms else None,
    }
