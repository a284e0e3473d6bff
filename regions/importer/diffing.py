"""Compare a validated import with the regions a tenant already has.

Classification of every code (districts and villages alike):

* **added**: not in the tenant's data.
* **reactivated**: present but inactive, and in the file again (``old_name`` set if renamed too).
* **renamed**: active, same code and parent, different name (exact comparison after collapsing
  spaces, so a change of letter case is a rename).
* **moved**: active, same code, different ``parent_code`` (only possible when the stored parent
  disagrees with the code); **or**, by heuristic, a village code that disappears while exactly one
  new village code with the same name (case-insensitive) appears under a *different* kecamatan of
  the same kab/kota and no other disappearing or new village shares that name. The pair is reported
  once as ``moved`` (``old_code`` → ``code``) instead of one ``missing`` plus one ``added``, so the
  caller can re-code the existing row and keep the references of applications to it. Ambiguous
  names (two candidates on either side) are left as missing + added.
* **missing**: active before, absent from the file: to be marked inactive, never deleted.
* **unchanged**: everything else.

Inactive rows absent from the file are ignored. After the diff is applied (added rows created,
renames and moves written, missing rows inactivated, reactivated rows activated), diffing the same
file again yields only ``unchanged``. Each list is ordered by level (kecamatan first) then code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from regions.codes import LEVELS, Level, level_of, normalize_code
from regions.importer.types import (
    ExistingRegion,
    RegionChange,
    RegionDiff,
    ValidationResult,
    VillageRecord,
)
from regions.naming import collapse_spaces


def _sort_key(change: RegionChange) -> tuple[int, str, str]:
    return (LEVELS.index(change.level), change.code, change.old_code or "")


def _name_key(name: str) -> str:
    return collapse_spaces(name).casefold()


def _pair_moves(diff: RegionDiff) -> None:
    gone: dict[str, list[RegionChange]] = defaultdict(list)
    new: dict[str, list[RegionChange]] = defaultdict(list)
    for change in diff.missing:
        if change.level == "village":
            gone[_name_key(change.name)].append(change)
    for change in diff.added:
        if change.level == "village":
            new[_name_key(change.name)].append(change)
    paired_old: set[str] = set()
    paired_new: set[str] = set()
    for key, olds in gone.items():
        news = new.get(key, [])
        if len(olds) != 1 or len(news) != 1:
            continue
        old, incoming = olds[0], news[0]
        if old.code[:5] != incoming.code[:5] or old.code[:8] == incoming.code[:8]:
            continue  # another kab/kota, or renumbered inside the same kecamatan: not a move
        diff.moved.append(
            RegionChange(
                "moved",
                "village",
                incoming.code,
                incoming.name,
                incoming.parent_code,
                old_name=old.name,
                old_code=old.code,
                old_parent_code=old.parent_code,
                kind=incoming.kind,
            )
        )
        paired_old.add(old.code)
        paired_new.add(incoming.code)
    diff.missing = [c for c in diff.missing if c.code not in paired_old]
    diff.added = [c for c in diff.added if c.code not in paired_new]


def diff(existing: Iterable[ExistingRegion], incoming: ValidationResult) -> RegionDiff:
    """Classify every district and village of ``incoming`` against ``existing``."""
    before: dict[str, ExistingRegion] = {}
    for region in existing:
        code = normalize_code(region.code)
        before[code] = region
    result = RegionDiff()
    records = [*incoming.districts, *incoming.villages]
    for record in records:
        kind = record.kind if isinstance(record, VillageRecord) else None
        level: Level = record.level
        parent = record.parent_code
        old = before.get(record.code)
        if old is None:
            result.added.append(
                RegionChange("added", level, record.code, record.name, parent, kind=kind)
            )
            continue
        old_name = collapse_spaces(old.name)
        renamed_from = old_name if old_name != record.name else None
        old_parent = normalize_code(old.parent_code) if old.parent_code else None
        if not old.is_active:
            change = RegionChange(
                "reactivated", level, record.code, record.name, parent, renamed_from, kind=kind
            )
            result.reactivated.append(change)
        elif old_parent is not None and old_parent != parent:
            change = RegionChange(
                "moved",
                level,
                record.code,
                record.name,
                parent,
                old_name=renamed_from,
                old_code=record.code,
                old_parent_code=old_parent,
                kind=kind,
            )
            result.moved.append(change)
        elif renamed_from is not None:
            change = RegionChange(
                "renamed", level, record.code, record.name, parent, renamed_from, kind=kind
            )
            result.renamed.append(change)
        else:
            change = RegionChange("unchanged", level, record.code, record.name, parent, kind=kind)
            result.unchanged.append(change)
    incoming_codes = {record.code for record in records}
    for code, old in before.items():
        if old.is_active and code not in incoming_codes:
            level = level_of(code)
            parent = normalize_code(old.parent_code) if old.parent_code else code.rpartition(".")[0]
            result.missing.append(
                RegionChange("missing", level, code, collapse_spaces(old.name), parent)
            )
    _pair_moves(result)
    for group in (
        result.added,
        result.renamed,
        result.moved,
        result.missing,
        result.reactivated,
        result.unchanged,
    ):
        group.sort(key=_sort_key)
    return result
