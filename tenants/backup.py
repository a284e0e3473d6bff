"""Per-tenant backup and restore: a COPY-per-table archive (docs/adr/0002-per-tenant-backup.md).

Why not `pg_dump -n <schema>`: at 514 schemas pg_dump reads and locks the whole catalogue
first (seconds per tenant, growing with the fleet), it must be at least as new as the server,
and its archive restores only into a schema of the **same name**, so it cannot restore next to
the live tenant. This module instead writes one `.tar.gz`:

    manifest.json         format, source tenant, migration fingerprint + applied migrations,
                          per table: columns, row count, sha256 of the data; sequences;
                          the tenant's media files (name, size, sha256, included or not)
    data/<table>.copy     `COPY … TO STDOUT` (text format) of each table
    media/<name>          the media files themselves, with `include_media=True`

All tables are read in one REPEATABLE READ, READ ONLY transaction (a consistent snapshot).
A restore provisions a **fresh tenant** through the normal path (schema + migrations + seed),
then in one transaction truncates its tables, COPYs the rows in (columns by name, so a newer
code version that only added columns still restores), sets the sequences, and checks every
table's row count against the manifest before committing. Any failure drops the fresh tenant.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.postgresql_backend.base import is_valid_schema_name
from django_tenants.utils import schema_context, schema_exists, tenant_context
from psycopg import sql

from core.errors import ApplicationError, Conflict, NotFound
from regions import reference

from . import routing
from .migration_state import code_fingerprint, code_migrations, tenant_app_labels
from .models import Domain, Tenant

logger = logging.getLogger(__name__)

FORMAT = "mpp-tenant-backup/1"
MANIFEST_NAME = "manifest.json"
SKIP_TABLES = frozenset({"django_migrations"})  # written by provisioning, kept in the manifest
_CHUNK = 1 << 20


class BackupError(ApplicationError):
    code = "backup_error"


class BackupIncompatible(BackupError):
    code = "backup_incompatible"
    status = 409


@dataclass
class BackupResult:
    path: Path
    schema: str
    tables: int
    rows: int
    files: int
    files_included: int
    bytes: int
    seconds: float
    fingerprint: str


@dataclass
class RestoreResult:
    tenant: Tenant
    schema: str
    side_by_side: bool
    rows: dict[str, int]
    files_restored: int
    files_listed: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


# --- database access ------------------------------------------------------------------------------
# Django's own connection (not a second one): inside a caller's transaction (tests, a service
# that composes) the backup sees that transaction's data. Names are always schema-qualified, so
# the search_path does not matter.


@contextmanager
def _snapshot() -> Iterator[None]:
    """A REPEATABLE READ, READ ONLY transaction (one snapshot for every table).

    Inside an existing transaction, that transaction is the snapshot."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    raw = connection.connection
    previous = (raw.isolation_level, raw.read_only)
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    raw.read_only = True
    try:
        with transaction.atomic():
            yield
    finally:
        raw.isolation_level, raw.read_only = previous


def _fetch(query: str | sql.Composable, params: list[Any] | None = None) -> list[tuple]:
    if isinstance(query, sql.Composable):
        query = query.as_string(connection.connection)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _tables(schema: str) -> list[tuple[str, list[str]]]:
    rows = _fetch(
        """
        SELECT c.relname,
               array_agg(a.attname::text ORDER BY a.attnum)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                            AND a.attgenerated = ''
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        GROUP BY c.relname ORDER BY c.relname
        """,
        [schema],
    )
    return [(name, list(columns)) for name, columns in rows]


def _sequences(schema: str) -> list[str]:
    rows = _fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'S' ORDER BY c.relname",
        [schema],
    )
    return [name for (name,) in rows]


def _qualified(schema: str, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))


def _columns_sql(columns: list[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(c) for c in columns)


# --- media ---------------------------------------------------------------------------------------


def _walk_storage(storage: Any, path: str = "") -> list[str]:
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    names = [f"{path}/{name}" if path else name for name in files]
    for sub in dirs:
        names += _walk_storage(storage, f"{path}/{sub}" if path else sub)
    return sorted(names)


def tenant_media_files(tenant: Tenant) -> list[dict[str, Any]]:
    """The tenant's media files (under its own storage prefix) with size and sha256."""
    out = []
    with tenant_context(tenant):
        for name in _walk_storage(default_storage):
            digest = hashlib.sha256()
            size = 0
            with default_storage.open(name, "rb") as handle:
                for chunk in iter(lambda h=handle: h.read(_CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
            out.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return out


# --- backup --------------------------------------------------------------------------------------


def default_backup_path(schema_name: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.DATA_DIR) / "backups" / f"{schema_name}-{stamp}.tar.gz"


def tenant_backup(
    *, tenant: Tenant, out_path: Path | str | None = None, include_media: bool = False
) -> BackupResult:
    """Write `out_path` (default `.data/backups/<schema>-<UTC time>.tar.gz`); atomic rename."""
    started = time.perf_counter()
    schema = tenant.schema_name
    if tenant.is_platform:
        raise BackupError("The public schema is backed up with the whole database, not here.")
    with schema_context("public"):
        if not schema_exists(schema):
            raise NotFound(f"Schema {schema} does not exist.")
    path = Path(out_path) if out_path else default_backup_path(schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    files = tenant_media_files(tenant)
    tables_meta: list[dict[str, Any]] = []
    sequences_meta: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix=f"backup-{schema}-", dir=path.parent) as tmp:
        spool = Path(tmp)
        with _snapshot():
            server_version = _fetch("SHOW server_version")[0][0]
            applied = _fetch(
                sql.SQL("SELECT app, name FROM {} WHERE app = ANY(%s) ORDER BY id").format(
                    _qualified(schema, "django_migrations")
                ),
                [tenant_app_labels()],
            )
            for index, (table, columns) in enumerate(_tables(schema)):
                if table in SKIP_TABLES:
                    continue
                member = f"data/{index:04d}-{table}.copy"
                digest = hashlib.sha256()
                rows = 0
                statement = sql.SQL("COPY {} ({}) TO STDOUT").format(
                    _qualified(schema, table), _columns_sql(columns)
                )
                with (
                    (spool / f"{index:04d}").open("wb") as out,
                    connection.cursor() as cursor,
                ):
                    with cursor.cursor.copy(statement) as copy:
                        for data in copy:
                            chunk = bytes(data)
                            out.write(chunk)
                            digest.update(chunk)
                            rows += chunk.count(b"\n")
                tables_meta.append({
                    "name": table, "columns": columns, "rows": rows,
                    "member": member, "spool": f"{index:04d}",
                    "sha256": digest.hexdigest(),
                })
            for seq in _sequences(schema):
                last_value, is_called = _fetch(
                    sql.SQL("SELECT last_value, is_called FROM {}").format(
                        _qualified(schema, seq)
                    )
                )[0]
                sequences_meta.append(
                    {"name": seq, "last_value": last_value, "is_called": is_called}
                )
        for item in files:
            item["included"] = include_media
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "source": {
                "schema_name": schema,
                "region_code": tenant.region_code,
                "slug": tenant.slug,
                "name": tenant.name,
                "kind": tenant.kind,
                "state": tenant.state,
                "province_code": tenant.province_code,
                "timezone": tenant.timezone,
            },
            "postgres": server_version,
            "migrations": {
                "fingerprint": tenant.migrations_fingerprint or code_fingerprint(),
                "applied": [[app, name] for app, name in applied],
            },
            "tables": [{k: v for k, v in t.items() if k != "spool"} for t in tables_meta],
            "sequences": sequences_meta,
            "media": {
                "storage": settings.STORAGES["default"]["BACKEND"],
                "included": include_media,
                "files": files,
            },
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            payload = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(payload)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(payload))
            for table in tables_meta:
                tar.add(spool / table["spool"], arcname=table["member"], recursive=False)
            if include_media:
                with tenant_context(tenant):
                    for item in files:
                        with default_storage.open(item["name"], "rb") as handle:
                            info = tarfile.TarInfo(f"media/{item['name']}")
                            info.size = item["size"]
                            info.mtime = int(time.time())
                            tar.addfile(info, handle)
        os.replace(partial, path)
    return BackupResult(
        path=path, schema=schema, tables=len(tables_meta),
        rows=sum(t["rows"] for t in tables_meta), files=len(files),
        files_included=len(files) if include_media else 0, bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
        fingerprint=manifest["migrations"]["fingerprint"],
    )


def read_manifest(path: Path | str) -> dict[str, Any]:
    """The manifest of a backup archive (it is the first member: no full scan)."""
    archive = Path(path)
    if not archive.is_file():
        raise NotFound(f"Backup file {archive} does not exist.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST_NAME:
                raise BackupError(f"{archive} is not a tenant backup (no manifest first).")
            handle = tar.extractfile(member)
            manifest = json.loads(handle.read()) if handle else {}
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} is not a readable tenant backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: unknown backup format {manifest.get('format')!r}.")
    return manifest


# --- restore -------------------------------------------------------------------------------------


def verify_archive(archive: Path, manifest: dict[str, Any]) -> None:
    """Check every data and media member against the manifest's sha256 (before touching the DB)."""
    expected = {t["member"]: t["sha256"] for t in manifest["tables"]}
    if manifest["media"].get("included"):
        expected.update({f"media/{f['name']}": f["sha256"] for f in manifest["media"]["files"]})
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name not in expected:
                    continue
                handle = tar.extractfile(member)
                digest = hashlib.sha256()
                for chunk in iter(lambda h=handle: h.read(_CHUNK), b""):
                    digest.update(chunk)
                if digest.hexdigest() != expected[member.name]:
                    raise BackupError(f"{member.name}: checksum mismatch (corrupt archive)")
                seen.add(member.name)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not readable: {exc}") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive} lacks {len(missing)} member(s), e.g. {missing[0]}")


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    backup = {tuple(item) for item in manifest["migrations"]["applied"]}
    code = set(code_migrations())
    unknown = sorted(backup - code)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupIncompatible(
            f"The backup has migrations this code does not know ({names}); "
            "restore it with the code version that made it."
        )
    if backup != code:
        return [f"code has {len(code - backup)} newer tenant migration(s); columns restored by name"]
    return []


def _register_restore_target(
    *, manifest: dict[str, Any], region_code: str, schema_name: str
) -> tuple[Tenant, bool]:
    from .services import tenant_host

    if not is_valid_schema_name(schema_name) or schema_name == "public":
        raise BackupError(f"Invalid schema name {schema_name!r}.")
    try:
        regency = reference.regency(reference.normalize_code(region_code))
    except ValueError:
        regency = None
    if regency is None or reference.level_of(regency.code) != "regency":
        raise NotFound(f"Unknown kab/kota code {region_code}.")
    slug = schema_name.replace("_", "-")
    with schema_context("public"):
        if schema_exists(schema_name) or Tenant.objects.filter(schema_name=schema_name).exists():
            raise Conflict(f"Schema {schema_name} already exists; restore into a new schema name.")
        if Tenant.objects.filter(slug=slug).exists():
            raise Conflict(f"Subdomain {slug} is taken.")
        # The region still has its tenant (the normal case when undoing something): restore side
        # by side, without the region code, suspended, so that operators can inspect and copy.
        side_by_side = Tenant.objects.filter(region_code=regency.code).exists()
        name = reference.display_name(regency)
        if side_by_side:
            name = f"{name} (pemulihan {timezone.now():%Y-%m-%d})"
        tenant = Tenant.objects.create(
            schema_name=schema_name, slug=slug, name=name[:120],
            region_code=None if side_by_side else regency.code,
            kind=regency.kind, province_code=regency.province_code,
            timezone=manifest["source"].get("timezone")
            or reference.timezone_for_province(regency.province_code),
            state=Tenant.State.REGISTERED,
        )
        Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
    return tenant, side_by_side


def _load_data(archive: Path, manifest: dict[str, Any], schema: str) -> dict[str, int]:
    """Truncate the fresh schema, COPY every table in, set sequences, verify; one transaction."""
    wanted = {t["member"]: t for t in manifest["tables"]}
    counts: dict[str, int] = {}
    with transaction.atomic():
        present = dict(_tables(schema))
        missing = [t["name"] for t in manifest["tables"] if t["name"] not in present]
        if missing:
            raise BackupIncompatible(f"Tables missing in the restored schema: {missing}")
        data_tables = [name for name in present if name not in SKIP_TABLES]
        if data_tables:
            _fetch(
                sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(_qualified(schema, name) for name in data_tables)
                )
            )
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                table = wanted.get(member.name)
                if table is None:
                    continue
                extra = set(table["columns"]) - set(present[table["name"]])
                if extra:
                    raise BackupIncompatible(
                        f"{table['name']}: columns {sorted(extra)} no longer exist"
                    )
                handle = tar.extractfile(member)
                digest = hashlib.sha256()
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    _qualified(schema, table["name"]), _columns_sql(table["columns"])
                )
                with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                    for chunk in iter(lambda h=handle: h.read(_CHUNK), b""):
                        digest.update(chunk)
                        copy.write(chunk)
                if digest.hexdigest() != table["sha256"]:
                    raise BackupError(f"{table['name']}: data checksum mismatch (corrupt archive)")
        for seq in manifest["sequences"]:
            _fetch(
                "SELECT setval(%s::regclass, %s, %s)",
                [f'"{schema}"."{seq["name"]}"', seq["last_value"], seq["is_called"]],
            )
        for table in manifest["tables"]:
            ((count,),) = _fetch(
                sql.SQL("SELECT count(*) FROM {}").format(_qualified(schema, table["name"]))
            )
            if count != table["rows"]:
                raise BackupError(
                    f"{table['name']}: {count} rows restored, {table['rows']} in the backup"
                )
            counts[table["name"]] = count
    return counts


def _restore_media(archive: Path, manifest: dict[str, Any], tenant: Tenant) -> int:
    if not manifest["media"].get("included"):
        return 0
    expected = {f"media/{f['name']}": f for f in manifest["media"]["files"]}
    restored = 0
    with tarfile.open(archive, "r:gz") as tar, tenant_context(tenant):
        for member in tar:
            item = expected.get(member.name)
            if item is None:
                continue
            handle = tar.extractfile(member)
            data = handle.read() if handle else b""
            if hashlib.sha256(data).hexdigest() != item["sha256"]:
                raise BackupError(f"media {item['name']}: checksum mismatch")
            saved = default_storage.save(item["name"], ContentFile(data))
            if saved != item["name"]:
                raise BackupError(f"media {item['name']} was stored as {saved}")
            restored += 1
    return restored


def tenant_restore(*, archive_path: Path | str, region_code: str, schema_name: str) -> RestoreResult:
    """Restore a backup into a fresh tenant `schema_name` (never over an existing schema).

    When the region has no tenant (it was deleted), the restored tenant takes the region code
    and the backup's state. When the region's tenant still exists, the copy is created side by
    side without a region code and stays suspended (not served) until an operator decides.
    """
    from .services import _drop_schema, tenant_provision

    started = time.perf_counter()
    archive = Path(archive_path)
    manifest = read_manifest(archive)
    verify_archive(archive, manifest)
    warnings = _check_migrations(manifest)
    tenant, side_by_side = _register_restore_target(
        manifest=manifest, region_code=region_code, schema_name=schema_name
    )
    try:
        tenant_provision(tenant_id=tenant.pk)
        with schema_context("public"):  # not served while the data goes in
            Tenant.objects.filter(pk=tenant.pk).update(
                state=Tenant.State.SUSPENDED, updated_at=timezone.now()
            )
            routing.forget_on_commit()
        try:
            counts = _load_data(archive, manifest, schema_name)
        except DatabaseError as exc:
            raise BackupError(f"Loading the data failed: {exc}") from exc
        restored_files = _restore_media(archive, manifest, tenant)
        state = manifest["source"].get("state")
        if side_by_side:
            final = Tenant.State.SUSPENDED
        elif state in {Tenant.State.LIVE, Tenant.State.SUSPENDED}:
            final = state
        else:
            final = Tenant.State.ONBOARDING
        with schema_context("public"):
            Tenant.objects.filter(pk=tenant.pk).update(state=final, updated_at=timezone.now())
            routing.forget_on_commit()
            tenant.refresh_from_db()
    except BaseException:
        logger.exception("Restore into %s failed; removing the half-made tenant", schema_name)
        connection.set_schema_to_public()
        _drop_schema(schema_name)
        with schema_context("public"):
            Tenant.objects.filter(pk=tenant.pk).delete()
        raise
    if not manifest["media"].get("included") and manifest["media"]["files"]:
        warnings.append(
            f"{len(manifest['media']['files'])} media file(s) listed but not included "
            "(back up with --with-media, or copy them from the storage's versioned prefix)"
        )
    return RestoreResult(
        tenant=tenant, schema=schema_name, side_by_side=side_by_side, rows=counts,
        files_restored=restored_files, files_listed=len(manifest["media"]["files"]),
        seconds=time.perf_counter() - started, warnings=warnings,
    )
