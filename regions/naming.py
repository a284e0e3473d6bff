"""Human names and DNS-safe slugs for kab/kota names (pure string functions)."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from regions.codes import RegencyKind

MAX_DNS_LABEL = 63

_WORD = re.compile(r"[^\W\d_]+(?:['’`][^\W\d_]+)*")
_ROMAN = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_PREFIX = re.compile(r"^(kabupaten|kab\.?|kota)\s+", re.IGNORECASE)
_ADMINISTRATIVE = re.compile(r"^administrasi\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


class NamedRegency(Protocol):
    code: str
    name: str
    kind: RegencyKind


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _title_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _ROMAN.match(word.upper()) and word.isupper():
        return word
    return word[:1].upper() + word[1:].lower()


def title_case(name: str) -> str:
    """Title-case an upper-case name: ``KOTA PANGKAL PINANG`` → ``Kota Pangkal Pinang``.

    Roman numerals stay upper case (``LUBUK PAKAM II``), letters after an apostrophe stay lower
    (``RA'AS`` → ``Ra'as``), hyphens, dots and parentheses are kept (``TOLI-TOLI`` →
    ``Toli-Toli``, ``(PERSIAPAN)`` → ``(Persiapan)``). Mixed-case input is returned unchanged
    apart from collapsed spaces, because it is assumed to be written deliberately.
    """
    text = collapse_spaces(name)
    if any(ch.islower() for ch in text):
        return text
    return _WORD.sub(_title_word, text)


def strip_regency_prefix(name: str) -> str:
    """``Kabupaten Sragen`` / ``KAB. SRAGEN`` / ``Kota Bandung`` → the bare name."""
    return _PREFIX.sub("", collapse_spaces(name), count=1)


def display_name(regency: NamedRegency) -> str:
    """``Kabupaten Sragen``, ``Kota Bandung``: title case with the full kind prefix."""
    bare = title_case(strip_regency_prefix(regency.name))
    prefix = "Kota" if regency.kind == "kota" else "Kabupaten"
    return f"{prefix} {bare}"


def slug_text(text: str) -> str:
    """ASCII, lower-case, hyphen-separated; apostrophes vanish (``Ra'as`` → ``raas``)."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"['`]", "", ascii_text)
    return _NON_SLUG.sub("-", ascii_text).strip("-")


def base_regency_slug(regency: NamedRegency) -> str:
    """``kab-sragen`` / ``kota-bandung`` (before collision handling, ≤ 63 characters).

    The word "Administrasi" of the DKI Jakarta names is dropped: ``Kota Administrasi Jakarta
    Selatan`` → ``kota-jakarta-selatan``, ``Kabupaten Administrasi Kepulauan Seribu`` →
    ``kab-kepulauan-seribu``.
    """
    prefix = "kota" if regency.kind == "kota" else "kab"
    bare = _ADMINISTRATIVE.sub("", strip_regency_prefix(regency.name), count=1)
    slug = f"{prefix}-{slug_text(bare)}"
    return slug[:MAX_DNS_LABEL].rstrip("-")


def unique_regency_slugs(regencies: list[NamedRegency]) -> dict[str, str]:
    """Map each regency code to a unique slug.

    Colliding base slugs (none in the 2025 list, but names can repeat after a split) all get the
    undotted code as suffix, e.g. ``kab-foo-3314``, so the result never depends on input order.
    """
    by_base: dict[str, list[NamedRegency]] = {}
    for regency in regencies:
        by_base.setdefault(base_regency_slug(regency), []).append(regency)
    slugs: dict[str, str] = {}
    for base, group in by_base.items():
        if len(group) == 1:
            slugs[group[0].code] = base
            continue
        for regency in group:
            suffix = "-" + regency.code.replace(".", "")
            slugs[regency.code] = base[: MAX_DNS_LABEL - len(suffix)].rstrip("-") + suffix
    return slugs
