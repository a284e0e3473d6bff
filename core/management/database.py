"""A clear one-line error for management commands run before the database is set up.

On a fresh database (before the first `make run`) every command that reads the tenant registry
used to end in a traceback (`relation "tenants_tenant" does not exist`). `manage.py` hands any
exception to :func:`database_not_ready_message`; when the error is an undefined table *and* the
public schema has no shared tables yet, the command ends with one line saying what to run.
Any other error is raised unchanged. Importing this module has no side effect (manage.py
imports it before Django is set up)."""

from __future__ import annotations

NOT_READY = (
    "Basis data belum disiapkan: jalankan `make run` sekali atau "
    "`python manage.py deploy_migrate` (migrasi skema publik dan tenant)."
)
UNDEFINED_TABLE = "42P01"  # PostgreSQL SQLSTATE undefined_table
REGISTRY_TABLE = "tenants_tenant"


def _is_undefined_table(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) == UNDEFINED_TABLE:
            return True
        current = current.__cause__ or current.__context__
    return False


def _registry_missing() -> bool:
    from django.db import connection

    try:
        connection.close()  # the failed statement may have aborted the transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f"public.{REGISTRY_TABLE}"])
            return cursor.fetchone()[0] is None
    except Exception:  # cannot tell: let the original error through
        return False


def database_not_ready_message(exc: BaseException) -> str | None:
    """The one-line message when `exc` comes from a database that was never migrated."""
    if not _is_undefined_table(exc):
        return None
    return NOT_READY if _registry_missing() else None
