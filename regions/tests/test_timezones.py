import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from regions import reference
from regions.codes import InvalidCode
from regions.timezones import PROVINCE_TIMEZONES, timezone_for_province

WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}
WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}


def test_every_province_has_a_zone():
    codes = {p.code for p in reference.provinces()}
    assert len(codes) == 38
    assert set(PROVINCE_TIMEZONES) == codes


def test_zone_mapping():
    for code in PROVINCE_TIMEZONES:
        expected = "Asia/Jayapura" if code in WIT else "Asia/Makassar" if code in WITA else None
        assert timezone_for_province(code) == (expected or "Asia/Jakarta"), code
    counts = {}
    for zone in PROVINCE_TIMEZONES.values():
        counts[zone] = counts.get(zone, 0) + 1
    assert counts == {"Asia/Jakarta": 18, "Asia/Makassar": 12, "Asia/Jayapura": 8}


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("11", "Asia/Jakarta"),  # Aceh
        ("31", "Asia/Jakarta"),  # DKI Jakarta
        ("61", "Asia/Jakarta"),  # Kalimantan Barat
        ("62", "Asia/Jakarta"),  # Kalimantan Tengah
        ("63", "Asia/Makassar"),  # Kalimantan Selatan
        ("65", "Asia/Makassar"),  # Kalimantan Utara
        ("51", "Asia/Makassar"),  # Bali
        ("53", "Asia/Makassar"),  # NTT
        ("75", "Asia/Makassar"),  # Gorontalo
        ("81", "Asia/Jayapura"),  # Maluku
        ("82", "Asia/Jayapura"),  # Maluku Utara
        ("96", "Asia/Jayapura"),  # Papua Barat Daya
        ("32.73", "Asia/Jakarta"),  # a kab/kota code uses its province
        ("6401", "Asia/Makassar"),
    ],
)
def test_specific_zones(code, zone):
    assert timezone_for_province(code) == zone


def test_offsets_are_7_8_9_hours():
    moment = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    offsets = {
        zone: moment.astimezone(ZoneInfo(zone)).utcoffset()
        for zone in set(PROVINCE_TIMEZONES.values())
    }
    assert offsets == {
        "Asia/Jakarta": dt.timedelta(hours=7),
        "Asia/Makassar": dt.timedelta(hours=8),
        "Asia/Jayapura": dt.timedelta(hours=9),
    }


def test_unknown_province():
    with pytest.raises(InvalidCode):
        timezone_for_province("99")
    with pytest.raises(InvalidCode):
        timezone_for_province("xx")


def test_regency_helper():
    assert reference.timezone_for_regency("7371") == "Asia/Makassar"
