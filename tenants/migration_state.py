"""Cheap detection of pending tenant migrations (no walk over 514 schemas when nothing changed).

Each tenant row stores the fingerprint of the tenant migrations applied to its schema. A deploy
compares it with the fingerprint of the migration files in the code and migrates only the
schemas that differ. `verify_applied()` cross-checks the stored fingerprints against the real
`django_migrations` tables when an operator wants certainty.

`recipe_key()` is a different, stricter fingerprint for the schema recipes (tenants.schema_recipe):
the recorded DDL depends on what the migration files say and on the Django and django-tenants
code that turns them into SQL, not only on which migrations exist.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def tenant_app_labels() -> list[str]:
    labels = []
    for entry in settings.TENANT_APPS:
        for config in apps.get_app_configs():
            if config.name == entry:
                labels.append(config.label)
    return sorted(labels)


@cache
def code_migrations() -> frozenset[tuple[str, str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    labels = set(tenant_app_labels())
    return frozenset(key for key in loader.disk_migrations if key[0] in labels)


def fingerprint(migrations: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> str:
    text = "\n".join(f"{app}.{name}" for app, name in sorted(migrations))
    return hashlib.sha256(text.encode()).hexdigest()


def code_fingerprint() -> str:
    return fingerprint(code_migrations())


def migration_sources() -> list[tuple[str, str, bytes]]:
    """(app, name, file content) of every migration in the code, sorted by app and name.

    Every app, not only the tenant apps: `migrate_schemas --tenant` records the shared apps'
    migrations in each tenant schema's django_migrations too, and a recipe replays those rows."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=False)
    loader.load_disk()
    sources = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        module = sys.modules[type(migration).__module__]
        sources.append((app, name, Path(module.__file__).read_bytes()))
    return sources


def library_versions() -> dict[str, str]:
    """The libraries that turn migrations into DDL; a recipe recorded under others is stale."""
    try:
        tenants_version = version("django-tenants")
    except PackageNotFoundError:  # pragma: no cover - installed from a checkout
        tenants_version = "unknown"
    return {"django": django.__version__, "django-tenants": tenants_version}


def recipe_key_of(sources: list[tuple[str, str, bytes]], versions: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for library, number in sorted(versions.items()):
        digest.update(f"{library}=={number}\n".encode())
    for app, name, content in sorted(sources):
        digest.update(f"{app}.{name} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


@cache
def recipe_key() -> str:
    """sha256 over the migration files' content, Django's and django-tenants' versions."""
    return recipe_key_of(migration_sources(), library_versions())


def applied_migrations_by_schema(schema_names: list[str]) -> dict[str, set[tuple[str, str]]]:
    """One round trip per chunk of schemas (UNION ALL over their django_migrations tables)."""
    labels = tenant_app_labels()
    result: dict[str, set[tuple[str, str]]] = {name: set() for name in schema_names}
    for start in range(0, len(schema_names), 100):
        chunk = schema_names[start : start + 100]
        parts = [
            # schema names come from the tenants table and are validated by django-tenants
            f"SELECT %s, app, name FROM \"{name}\".django_migrations WHERE app = ANY(%s)"  # noqa: S608
            for name in chunk
        ]
        params: list[object] = []
        for name in chunk:
            params += [name, labels]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for schema, app, name in cursor.fetchall():
                result[schema].add((app, name))
    return result
