#!/usr/bin/env python
"""Django's command-line utility for MPP Digital.

`platform/` is a source root (never a package): it holds the `config` package.
When DATABASE_URL is unset, the embedded PostgreSQL under `.data/` is attached or started.
On a database that was never migrated, commands end with one line saying what to run.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(BASE_DIR / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from config.devdb import ensure_database_url

    ensure_database_url()
    from django.core.management import execute_from_command_line

    from core.management.database import database_not_ready_message

    try:
        execute_from_command_line(sys.argv)
    except Exception as exc:
        message = database_not_ready_message(exc)  # a fresh database: say what to run
        if message is None:
            raise
        sys.stderr.write(f"CommandError: {message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
