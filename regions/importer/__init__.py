"""Region import pipeline (pure Python, no ORM): ``parse`` → ``validate`` → ``diff``.

>>> table = parse(data, "wilayah.csv")          # ImportFileError if the file is unreadable
>>> table.layout.description                    # which layout was detected, in Indonesian
>>> result = validate(table, "33.14")           # result.errors block, result.warnings do not
>>> changes = diff(existing_regions, result)    # added / renamed / moved / missing / ...

``from_reference("33.14")`` gives the national list in the same shape as ``validate``.
"""

from regions.importer.diffing import diff
from regions.importer.errors import ImportFileError
from regions.importer.layouts import detect_layout, normalize_header
from regions.importer.parsing import delimiter_name, parse
from regions.importer.types import (
    Column,
    DistrictRecord,
    ExistingRegion,
    Issue,
    Layout,
    ParsedRow,
    ParsedTable,
    RegionChange,
    RegionDiff,
    ValidationResult,
    VillageRecord,
)
from regions.importer.validation import from_reference, parse_kind, validate

__all__ = [
    "Column",
    "DistrictRecord",
    "ExistingRegion",
    "ImportFileError",
    "Issue",
    "Layout",
    "ParsedRow",
    "ParsedTable",
    "RegionChange",
    "RegionDiff",
    "ValidationResult",
    "VillageRecord",
    "delimiter_name",
    "detect_layout",
    "diff",
    "from_reference",
    "normalize_header",
    "parse",
    "parse_kind",
    "validate",
]
