from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.nik import NikInfo, mask_nik, validate_nik

TODAY = dt.date(2026, 6, 1)


def _error(value: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validate_nik(value, today=kwargs.get("today", TODAY))
    return info.value


def test_valid_nik_of_a_man():
    # when
    info = validate_nik("3273011503900001", today=TODAY)
    # then
    assert info == NikInfo(
        province_code="32", regency_code="32.73", district_code="32.73.01",
        birth_date=dt.date(1990, 3, 15), sex="L", nik="3273011503900001",
    )


def test_valid_nik_of_a_woman_has_day_plus_40():
    info = validate_nik("3314025506850002", today=TODAY)
    assert info.sex == "P"
    assert info.birth_date == dt.date(1985, 6, 15)
    assert info.regency_code == "33.14"


def test_whitespace_between_digit_groups_is_accepted():
    assert validate_nik(" 3273 0115 0390 0001 ", today=TODAY).nik == "3273011503900001"


@pytest.mark.parametrize("value", ["", "327301150390000", "32730115039000011", "32730115039A0001"])
def test_not_16_digits(value):
    error = _error(value)
    assert error.code == "nik_format"
    assert "16 digit" in error.messages[0]


def test_unknown_province():
    error = _error("9973011503900001")
    assert error.code == "nik_province"
    assert "provinsi 99" in error.messages[0]


@pytest.mark.parametrize(("nik", "regency"), [
    ("9201011503900001", "92.01"),  # Kab. Sorong before Papua Barat Daya (UU 29/2022)
    ("9101011503900001", "91.01"),  # Merauke before Papua Selatan (UU 14/2022)
    ("6405011503900001", "64.05"),  # Bulungan before Kalimantan Utara (UU 20/2012)
])
def test_historical_regency_codes_are_accepted(nik, regency):
    info = validate_nik(nik, today=TODAY)
    assert info.regency_code == regency
    assert info.birth_date == dt.date(1990, 3, 15)


def test_a_regency_missing_from_todays_list_is_flagged_not_refused():
    assert validate_nik("3299011503900001", today=TODAY).regency_known is False
    assert validate_nik("3273011503900001", today=TODAY).regency_known is True


@pytest.mark.parametrize("prefix", ["000101", "100101", "327001", "327300"])
def test_malformed_region_code_is_a_field_error(prefix):
    error = _error(f"{prefix}1503900001")
    assert error.code == "nik_region"
    assert prefix in error.messages[0]


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_invalid_birth_day(day):
    error = _error(f"327301{day}03900001")
    assert error.code == "nik_birth_day"
    assert "41-71 untuk perempuan" in error.messages[0]


@pytest.mark.parametrize("month", ["00", "13"])
def test_invalid_birth_month(month):
    error = _error(f"32730115{month}900001")
    assert error.code == "nik_birth_month"
    assert "01-12" in error.messages[0]


def test_date_not_in_calendar():
    error = _error("3273013102900001")  # 31 February
    assert error.code == "nik_birth_date"


def test_leap_day_of_year_00_is_2000():
    assert validate_nik("3273012902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_two_digit_year_prefers_the_date_not_in_the_future():
    # YY=20 → 2020 (past); YY=30 → 1930 because 2030 is in the future
    assert validate_nik("3273011503200001", today=TODAY).birth_date == dt.date(2020, 3, 15)
    assert validate_nik("3273011503300001", today=TODAY).birth_date == dt.date(1930, 3, 15)
    # the boundary: today itself is not the future
    assert validate_nik("3273010106260001", today=TODAY).birth_date == dt.date(2026, 6, 1)
    assert validate_nik("3273010206260001", today=TODAY).birth_date == dt.date(1926, 6, 2)


def test_birth_date_in_the_future_for_both_centuries():
    error = _error("3273011503500001", today=dt.date(1940, 1, 1))
    assert error.code == "nik_birth_future"


def test_mask_nik_keeps_first_and_last_four():
    assert mask_nik("3273011503900001") == "3273********0001"
    assert mask_nik("3273 0115 0390 0001") == "3273********0001"
    assert mask_nik("1234") == "****"
    assert mask_nik(None) == ""
