"""Where a benchmarked operation spends its time: SQL (execution and round trip, plus the
commit) versus everything else (Python: views, services, templates, file and broker I/O).

Shared by the bench modules (not a benchmark itself: `bench/__main__.py` only runs
``bench_*`` modules)::

    with SqlTimer() as spent:
        operation()
    spent.seconds, spent.count, spent.commit_seconds, spent.kinds

and :func:`time_split` turns per-round wall and SQL times into the shares the results report.
:class:`Stopwatch` times named parts of the Python side (callables patched for the duration).
:class:`PageTimer` splits the requests of a page figure into middleware, view and template,
each with its SQL apart, and :meth:`PageTimer.shares` reports them.
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


class PageTimer:
    """Where a page's requests spend their time, in four parts that add up to the wall time:

    - ``middleware``: outside the view and its templates (the middleware chain with session
      and auth loading, URL resolving, the handler);
    - ``view``: the view function's Python (forms, selectors' ORM compilation, context);
    - ``template``: the template renders' Python (includes, filters, tags), inside the view
      (``render()``) or after it (a ``TemplateResponse``);
    - ``sql``: every statement's execution and round trip, wherever it was issued (a lazy
      queryset evaluated by the template counts as SQL, not as template).

    Use it on requests made through the test client or any WSGI handler in this process::

        with PageTimer() as page:
            for _ in range(20):
                client.get(url)
        page.shares()  # {"middleware_share": …, "view_share": …, "template_share": …, …}

    The instrumentation costs a little; measure the headline figure without it."""

    PARTS = ("middleware", "view", "template")

    def __init__(self) -> None:
        self.seconds = dict.fromkeys((*self.PARTS, "sql"), 0.0)
        self.requests = 0
        self.queries = 0
        self._phase: list[str] = []
        self._mark = 0.0
        self._saved: list[tuple[Any, str, Any]] = []
        self._stack: Any = None

    def _switch(self, phase: str | None) -> None:
        """Charge the time since the last switch to the current phase, then enter ``phase``
        (or leave the current one when None)."""
        now = time.perf_counter()
        if self._phase:
            self.seconds[self._phase[-1]] += now - self._mark
        if phase is None:
            self._phase.pop()
        else:
            self._phase.append(phase)
        self._mark = now

    def _wrap(self, phase: str, original: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._switch(phase)
            try:
                return original(*args, **kwargs)
            finally:
                self._switch(None)

        return timed

    def _sql(self, execute, sql, params, many, context):
        self._switch("sql")
        try:
            return execute(sql, params, many, context)
        finally:
            self._switch(None)
            self.queries += 1

    def _request(self, original: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.requests += 1
            return self._wrap("middleware", original)(*args, **kwargs)

        return timed

    def __enter__(self) -> PageTimer:
        from contextlib import ExitStack

        from django.core.handlers.base import BaseHandler
        from django.db import connection
        from django.template.backends.django import Template

        def make_view_atomic(original: Any) -> Any:
            # `_get_response` is bound into the middleware chain once, so the view is timed
            # where `_get_response` looks it up on every request: the callback it wraps
            return lambda handler, view: self._wrap("view", original(handler, view))

        targets = (
            (BaseHandler, "get_response", self._request),
            (BaseHandler, "make_view_atomic", make_view_atomic),
            (Template, "render", lambda f: self._wrap("template", f)),
        )
        for owner, attribute, wrap in targets:
            original = owner.__dict__[attribute]
            self._saved.append((owner, attribute, original))
            setattr(owner, attribute, wrap(original))
        self._stack = ExitStack()
        self._stack.enter_context(connection.execute_wrapper(self._sql))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        for owner, attribute, original in reversed(self._saved):
            setattr(owner, attribute, original)
        self._saved.clear()

    def shares(self) -> dict[str, float | int | None]:
        total = sum(self.seconds.values())
        out: dict[str, float | int | None] = {
            f"{part}_share": round(seconds / total, 3) if total else None
            for part, seconds in self.seconds.items()
        }
        if self.requests:
            out["ms_per_request"] = round(total * 1000 / self.requests, 2)
            out["queries_per_request"] = round(self.queries / self.requests, 1)
        out["requests_profiled"] = self.requests
        return out


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
