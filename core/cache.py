"""The database cache of the default set-up (no REDIS_URL): Django's, with a cheaper `set`.

Django's `DatabaseCache.set` runs five statements: a `COUNT(*)` of the whole table (to decide
on culling), then a transaction with a `SELECT` of the key and an `UPDATE` or `INSERT`. Every
API request writes its throttle history and every rendered portal fragment is stored, so
that was most of a small request's statements. Here a `set` is one upsert on the table's
primary key, and the table is counted (and culled exactly as Django does) on one `set` in
`CULL_CHECK_EVERY` per process. `add` and `touch` keep Django's code.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_CHECK_EVERY = 64

_UPSERT = (
    "INSERT INTO {table} ({key}, {value}, {expires}) VALUES (%s, %s, %s) "
    "ON CONFLICT ({key}) DO UPDATE SET {value} = EXCLUDED.{value}, {expires} = EXCLUDED.{expires}"
)


class DatabaseCache(DjangoDatabaseCache):
    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self._sets = itertools.count(1)

    def _base_set(self, mode: str, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> bool:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if mode != "set" or connection.vendor != "postgresql":
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        quote = connection.ops.quote_name
        table = quote(self._table)
        if timeout is None:
            expires = datetime.max  # noqa: DTZ901 (as Django's: never expires)
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        sql = _UPSERT.format(
            table=table, key=quote("cache_key"), value=quote("value"), expires=quote("expires")
        )
        # inside a caller's transaction a failed write must not abort it: a savepoint then
        guard = transaction.atomic(using=db) if connection.in_atomic_block else nullcontext()
        try:
            with guard, connection.cursor() as cursor:
                if next(self._sets) % CULL_CHECK_EVERY == 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (quoted name)
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        self._cull(db, cursor, tz_now().replace(microsecond=0), count)
                cursor.execute(sql, [key, encoded, expires])
        except DatabaseError:  # as Django's: a failed cache write is not the caller's failure
            return False
        return True
