import re
from dataclasses import dataclass

import pytest

from regions import reference
from regions.naming import (
    MAX_DNS_LABEL,
    base_regency_slug,
    display_name,
    slug_text,
    title_case,
    unique_regency_slugs,
)

DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass
class FakeRegency:
    code: str
    name: str
    kind: str


@pytest.mark.parametrize(
    ("code", "slug"),
    [
        ("33.14", "kab-sragen"),
        ("32.73", "kota-bandung"),
        ("32.04", "kab-bandung"),
        ("32.17", "kab-bandung-barat"),
        ("19.71", "kota-pangkal-pinang"),
        ("31.01", "kab-kepulauan-seribu"),
        ("31.74", "kota-jakarta-selatan"),
        ("72.04", "kab-toli-toli"),
    ],
)
def test_slug_for_regency(code, slug):
    assert reference.slug_for_regency(code) == slug
    assert reference.regency_for_slug(slug).code == code


def test_slugs_unique_and_valid_dns_labels():
    slugs = [reference.slug_for_regency(r.code) for r in reference.regencies()]
    assert len(slugs) == 514
    assert len(set(slugs)) == 514
    for slug in slugs:
        assert DNS_LABEL.match(slug), slug
        assert len(slug) <= MAX_DNS_LABEL
        assert "--" not in slug
        assert slug.startswith(("kab-", "kota-"))
    for regency in reference.regencies():
        assert reference.regency_for_slug(reference.slug_for_regency(regency.code)) == regency


def test_unknown_slug_and_code():
    assert reference.regency_for_slug("kab-atlantis") is None
    with pytest.raises(ValueError):
        reference.slug_for_regency("33.99")


def test_collisions_are_disambiguated_deterministically():
    first = FakeRegency("11.01", "Kabupaten Sumber", "kabupaten")
    second = FakeRegency("12.05", "KABUPATEN SUMBER", "kabupaten")
    other = FakeRegency("12.71", "Kota Sumber", "kota")
    slugs = unique_regency_slugs([first, second, other])
    assert slugs == {"11.01": "kab-sumber-1101", "12.05": "kab-sumber-1205", "12.71": "kota-sumber"}
    assert unique_regency_slugs([other, second, first]) == slugs


def test_long_names_are_cut_to_a_dns_label():
    long = FakeRegency("11.01", "Kabupaten " + "Sangat Panjang " * 10, "kabupaten")
    slug = base_regency_slug(long)
    assert len(slug) <= MAX_DNS_LABEL
    assert DNS_LABEL.match(slug)
    twins = unique_regency_slugs([long, FakeRegency("11.02", long.name, "kabupaten")])
    assert all(len(s) <= MAX_DNS_LABEL and DNS_LABEL.match(s) for s in twins.values())
    assert len(set(twins.values())) == 2


def test_slug_text_folds_accents_and_apostrophes():
    assert slug_text("Ra'as") == "raas"
    assert slug_text("Regapu’u") == "regapuu"
    assert slug_text("Séko (Persiapan) No.2") == "seko-persiapan-no-2"


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("KABUPATEN SRAGEN", "kabupaten", "Kabupaten Sragen"),
        ("KOTA BANDUNG", "kota", "Kota Bandung"),
        ("KOTA PANGKAL PINANG", "kota", "Kota Pangkal Pinang"),
        ("KABUPATEN KEPULAUAN SERIBU", "kabupaten", "Kabupaten Kepulauan Seribu"),
        ("KAB. TOLI-TOLI", "kabupaten", "Kabupaten Toli-Toli"),
        ("kab.  sragen", "kabupaten", "Kabupaten sragen"),
        ("MUARA ENIM (PERSIAPAN)", "kabupaten", "Kabupaten Muara Enim (Persiapan)"),
        ("KOTA ADMINISTRASI JAKARTA SELATAN", "kota", "Kota Administrasi Jakarta Selatan"),
        ("Kota Bandung", "kota", "Kota Bandung"),
    ],
)
def test_display_name(name, kind, expected):
    assert display_name(FakeRegency("11.01", name, kind)) == expected


def test_display_name_of_reference_is_its_name():
    for regency in reference.regencies():
        assert reference.display_name(regency) == regency.name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("LUBUK PAKAM I,II", "Lubuk Pakam I,II"),
        ("LAMBANG SARI I, II, III", "Lambang Sari I, II, III"),
        ("RA'AS", "Ra'as"),
        ("ST. MARIA", "St. Maria"),
        ("DESA  VII  KOTO", "Desa VII Koto"),
        ("Jetis Karangpung", "Jetis Karangpung"),
    ],
)
def test_title_case(raw, expected):
    assert title_case(raw) == expected
