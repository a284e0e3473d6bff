"""The bench's timing helpers (bench/sqltime.py): what they count and that they restore
what they patch."""

from __future__ import annotations

import time
import types

import pytest
from django.db import connection, connections

from bench.sqltime import SqlTimer, Stopwatch, _kind, time_split


def test_statements_are_named_by_their_verb():
    assert _kind("  select 1") == "SELECT"
    assert _kind('SAVEPOINT "s1"') == "SAVEPOINT"
    assert _kind("WITH picked AS (SELECT id FROM t) UPDATE t SET x = 1 FROM picked") == "UPDATE"
    assert _kind("WITH x AS (SELECT 1) SELECT * FROM x") == "SELECT"


def test_time_split_gives_shares_of_the_summed_rounds():
    split = time_split([10.0, 30.0], [5.0, 5.0])
    assert split == {"sql_share": 0.25, "python_share": 0.75, "sql_ms_p50": 5.0}
    assert time_split([], []) == {"sql_share": None, "python_share": None, "sql_ms_p50": None}


def test_stopwatch_times_a_module_global_and_a_method_and_puts_them_back():
    module = types.SimpleNamespace(work=lambda: time.sleep(0.01) or "done")
    original = module.work

    class Thing:
        def method(self):
            return "method"

    thing = Thing()
    with Stopwatch(work=(module, "work"), method=(thing, "method")) as watch:
        assert module.work() == "done"
        assert thing.method() == "method"
    assert watch.seconds["work"] >= 0.01
    assert watch.seconds["method"] >= 0
    assert module.work is original
    assert "method" not in thing.__dict__  # the shadowing instance attribute is gone


@pytest.mark.django_db
def test_sql_timer_counts_statements_by_kind_and_unhooks():
    wrappers = len(connection.execute_wrappers)
    with SqlTimer() as spent, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SELECT 2")
    assert spent.kinds["SELECT"] == 2  # (django-tenants may add its SET search_path)
    assert spent.count == sum(spent.kinds.values())
    assert spent.seconds > 0
    assert len(connection.execute_wrappers) == wrappers
    assert "_commit" not in connections["default"].__dict__


@pytest.mark.django_db
def test_page_timer_splits_requests_into_parts_that_add_up_and_unhooks(platform_client):
    from django.core.handlers.base import BaseHandler
    from django.template.backends.django import Template

    from bench.sqltime import PageTimer

    originals = (BaseHandler.get_response, BaseHandler.make_view_atomic, Template.render)
    wrappers = len(connection.execute_wrappers)
    platform_client.get("/masuk/")  # the middleware chain is built on the first request
    with PageTimer() as page:
        for _ in range(3):
            assert platform_client.get("/masuk/").status_code == 200  # the sign-in page
    shares = page.shares()
    assert page.requests == 3
    assert shares["requests_profiled"] == 3
    parts = [shares[f"{p}_share"] for p in ("middleware", "view", "template", "sql")]
    assert all(share is not None and share >= 0 for share in parts)
    assert abs(sum(parts) - 1) < 0.01
    assert page.seconds["middleware"] > 0 and page.seconds["view"] > 0
    assert page.seconds["template"] > 0
    assert (BaseHandler.get_response, BaseHandler.make_view_atomic, Template.render) == originals
    assert len(connection.execute_wrappers) == wrappers


def test_page_timer_without_requests_reports_no_shares():
    from bench.sqltime import PageTimer

    assert PageTimer().shares() == {
        "middleware_share": None, "view_share": None, "template_share": None,
        "sql_share": None, "requests_profiled": 0}
