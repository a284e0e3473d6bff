"""Limits for uploaded region files. Read at call time, so tests may monkeypatch them."""

from __future__ import annotations

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest accepted upload (CSV or XLSX)."""

MAX_DATA_ROWS = 100_000
"""Most non-empty data rows after the header."""

MAX_SCANNED_ROWS_FACTOR = 2
"""Rows read (blank ones included) may not exceed this times MAX_DATA_ROWS."""

HEADER_SCAN_ROWS = 20
"""The header may be preceded by up to this many title rows."""

MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
"""Sum of the uncompressed sizes declared in the XLSX zip directory (zip-bomb guard)."""

MAX_XLSX_MEMBERS = 1_000
"""Most entries in the XLSX zip directory."""

MAX_XLSX_RATIO = 200
"""Largest compression ratio of one zip entry bigger than 1 MB uncompressed."""
