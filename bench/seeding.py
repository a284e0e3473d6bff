"""Bulk seeding helpers of the bench modules (not a benchmark: `bench/__main__.py` only runs
``bench_*`` modules).

`copy_rows` writes rows with one ``COPY … FROM STDIN`` (psycopg 3) instead of model instances
through ``bulk_create``: the values are the caller's, column by column, so a bench that
generated them in Python keeps exactly the same data and only its write path changes.
`clone_rows` copies one row made through the ORM into many with one ``INSERT … SELECT`` over
``generate_series``, the columns that vary given as SQL (the fastest: nothing per row in
Python).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def copy_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              conflict: Sequence[str] = (), update: Sequence[str] = ()) -> int:
    """COPY `rows` (one value per column of `columns`, in that order) into `model`'s table of
    the current schema; returns the number of rows written.

    Values are adapted by psycopg (dicts and lists given for JSON fields are written as
    JSON; lists for array fields as arrays). With `conflict` (the columns of a unique
    constraint) the rows go through a temporary table and are upserted, ``update`` naming the
    columns a conflicting row takes from the new one (none: the existing row is kept), as
    ``bulk_create(update_conflicts=True)`` / ``ignore_conflicts=True`` would."""
    from django.db import connection, transaction
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    quote = connection.ops.quote_name
    fields = {f.column: f for f in model._meta.concrete_fields}
    json_at = [i for i, c in enumerate(columns) if isinstance(fields[c], JSONField)]
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        target = table
        if conflict:
            target = quote(f"bench_copy_{model._meta.db_table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {target} ON COMMIT DROP AS "
                           f"SELECT {names} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        if row[i] is not None:
                            row[i] = Jsonb(row[i])
                copy.write_row(row)
                count += 1
        if conflict:
            action = "DO NOTHING" if not update else "DO UPDATE SET " + ", ".join(
                f"{quote(c)} = EXCLUDED.{quote(c)}" for c in update)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} "
                f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) {action}")
            cursor.execute(f"DROP TABLE {target}")  # (inside an outer transaction too)
    return count


def insert_columns(model: Any, overrides: dict[str, str]) -> tuple[str, str]:
    """The insertable columns of `model` (all concrete ones but the primary key and generated
    ones) and what to select for each from a template row `t`, overridden ones by the SQL
    given."""
    from django.db import connection
    from django.db.models import GeneratedField

    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields
               if not f.primary_key and not isinstance(f, GeneratedField)]
    return (", ".join(quote(c) for c in columns),
            ", ".join(overrides.get(c, f"t.{quote(c)}") for c in columns))


def clone_rows(model: Any, *, template_pk: int, series: tuple[int, int],
               overrides: dict[str, str], params: dict[str, Any] | None = None,
               lateral: str = "") -> int:
    """Rows numbered `g` in `series` (inclusive), each a copy of the template row (made
    through the ORM, so every column is as the model fills it) in one ``INSERT … SELECT``
    over ``generate_series``; `overrides` gives the SQL of the columns that vary (in terms
    of `g`, `t`, the named `params` and the columns of `lateral`, a ``SELECT`` evaluated
    per row as ``r``: values drawn once and used by several columns). Returns the number of
    rows inserted."""
    from django.db import connection

    start, end = series
    if end < start:
        return 0
    columns, selected = insert_columns(model, overrides)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {table} t, "
            "generate_series(%(start)s, %(end)s) g"
            + (f", LATERAL ({lateral}) r" if lateral else "") + " WHERE t.id = %(template)s",
            {**(params or {}), "start": start, "end": end, "template": template_pk})
        return cursor.rowcount
