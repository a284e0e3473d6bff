"""`insert_new`: INSERT … ON CONFLICT DO NOTHING RETURNING in one statement.

What `get_or_create` in a savepoint per row, or `bulk_create(ignore_conflicts=True)` followed
by a query for the ids, do in three to five statements: the rows that a unique constraint
already holds are skipped (a replay, or a concurrent insert of the same key) and the others
are inserted, their primary keys set, in one round trip. No savepoint is needed: a conflict
is not an error, so the caller's transaction stays usable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import models
from django.db.models.constants import OnConflict

M = TypeVar("M", bound=models.Model)


def insert_new(objs: Sequence[M], *, key: Sequence[str]) -> list[M]:
    """Insert the `objs` (one model) that conflict with no unique constraint; returns those
    inserted, with their pk set (the others are left unsaved). `key`: the attribute names
    (e.g. ``("recipient_id", "channel", "dedup_key")``) that tell the objects apart, used to
    match the returned rows to them. No model signals are sent (as with `bulk_create`)."""
    if not objs:
        return []
    model = type(objs[0])
    opts = model._meta
    by_key = {tuple(getattr(obj, name) for name in key): obj for obj in objs}
    if len(by_key) != len(objs):
        raise ValueError("insert_new: two objects with the same key")
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_new")
    fields = [f for f in opts.concrete_fields
              if f is not opts.auto_field and not getattr(f, "generated", False)]
    key_fields = [opts.get_field(name) for name in key]  # attnames too ("recipient_id")
    rows = model._default_manager.db_manager("default")._insert(
        objs, fields=fields, returning_fields=[opts.pk, *key_fields],
        on_conflict=OnConflict.IGNORE,
    )
    inserted = []
    for row in rows:
        if row is None:  # a single object that conflicted (the driver's empty fetchone)
            continue
        obj = by_key[tuple(row[1:])]
        obj.pk = row[0]
        obj._state.adding = False
        obj._state.db = "default"
        inserted.append(obj)
    return inserted

