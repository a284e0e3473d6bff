"""core.cache.DatabaseCache (the default set-up's cache): Django's behaviour, one statement per
`set`, and culling still bounded by MAX_ENTRIES."""

from __future__ import annotations

import pytest
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache as db_cache

TABLE = "core_cache_test"


@pytest.fixture
def make_cache(db):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table("default", TABLE, dry_run=False)

    def _make(**options):
        return db_cache.DatabaseCache(TABLE, {"OPTIONS": options})

    return _make


def test_set_get_overwrite_expire_and_delete(make_cache, time_machine):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2026, 3, 1, 8, 0, tzinfo=UTC), tick=False)
    cache = make_cache()
    cache.set("a", {"n": 1}, 60)
    cache.set("forever", [1, 2], None)
    assert cache.get("a") == {"n": 1}
    cache.set("a", {"n": 2}, 60)  # the upsert replaces the value
    assert cache.get("a") == {"n": 2}
    assert cache.get_many(["a", "forever", "missing"]) == {"a": {"n": 2}, "forever": [1, 2]}
    # add and touch keep Django's semantics
    assert cache.add("a", "other") is False and cache.get("a") == {"n": 2}
    assert cache.add("b", "new") is True and cache.get("b") == "new"
    time_machine.shift(61)
    assert cache.get("a") is None and cache.get("forever") == [1, 2]
    assert cache.add("a", "again") is True  # an expired key may be added again
    cache.delete("forever")
    assert cache.get("forever") is None


def test_a_set_is_one_statement(make_cache):
    cache = make_cache()
    cache.set("k", "v")
    with CaptureQueriesContext(connection) as ctx:
        cache.set("k", "w")
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert cache.get("k") == "w"


def test_culling_still_bounds_the_table(make_cache, monkeypatch):
    monkeypatch.setattr(db_cache, "CULL_CHECK_EVERY", 5)
    cache = make_cache(MAX_ENTRIES=10, CULL_FREQUENCY=2)
    for index in range(40):
        cache.set(f"key-{index:02d}", index)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{TABLE}"')
        (count,) = cursor.fetchone()
    # checked every 5th set: at most MAX_ENTRIES plus the sets since the last check
    assert count <= 10 + 5
    assert cache.get("key-39") == 39  # the newest survive (Django culls the lowest keys)


def test_a_failed_set_does_not_break_the_callers_transaction(make_cache):
    from django.core.cache.backends.base import CacheKeyWarning
    from django.db import transaction

    cache = make_cache()
    with transaction.atomic():
        with pytest.warns(CacheKeyWarning):  # 300 characters: the varchar(255) column refuses it
            cache.set("x" * 300, "too long a key for the column")
        cache.set("ok", 1)  # the transaction is still usable
    assert cache.get("ok") == 1
    with pytest.warns(CacheKeyWarning):
        assert cache.get("x" * 300) is None
