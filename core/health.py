"""Liveness and readiness checks (database and broker reachable)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connections


def check_database(alias: str = "default") -> tuple[bool, str]:
    try:
        conn = connections[alias]
        conn.ensure_connection()
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure means "not ready"
        try:
            connections[alias].close()
        except Exception:  # noqa: S110 - closing a broken connection may fail too
            pass
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return False, type(exc).__name__
        return True, "ok"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__
