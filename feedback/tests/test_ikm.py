"""IKM arithmetic (PermenPANRB 14/2017) against hand-computed values; Krejcie–Morgan."""

from __future__ import annotations

from decimal import Decimal

import pytest

from feedback.ikm import WEIGHT, grade_for, ikm_compute, ikm_from_answers, krejcie_morgan
from feedback.questionnaire import UNSUR, UNSUR_CODES

ALL = dict.fromkeys(UNSUR_CODES, 4)


def _answers(*rows: list[int]) -> list[dict[str, int]]:
    return [dict(zip(UNSUR_CODES, row, strict=True)) for row in rows]


def test_nine_unsur_with_official_four_point_wording():
    assert [u.code for u in UNSUR] == [f"u{i}" for i in range(1, 10)]
    persyaratan, biaya = UNSUR[0], UNSUR[3]
    assert [str(a) for a in persyaratan.answers] == [
        "Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
    assert [str(a) for a in biaya.answers] == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert all(len(u.answers) == 4 for u in UNSUR)


def test_weight_is_exactly_one_ninth_so_the_maximum_is_100():
    # given every respondent answered 4 on every unsur
    result = ikm_from_answers([ALL, ALL, ALL])
    # then IKM = 4, converted exactly 100 (0.11 would give 99.00; domain.md §2.3)
    assert WEIGHT * 9 == 1
    assert result.converted == Decimal(100)
    assert result.converted_display == "100.00"
    assert result.grade == "A"
    assert result.performance == "Sangat baik"


def test_hand_computed_two_respondents():
    # given two questionnaires
    rows = _answers([3, 3, 3, 4, 3, 3, 4, 3, 3], [4, 3, 2, 4, 3, 4, 4, 3, 2])
    # hand computation: NRR = 3.5, 3, 2.5, 4, 3, 3.5, 4, 3, 2.5; sum = 29
    # IKM = 29/9 = 3.2222…; converted = 80.5555… → 80.56, grade B (Baik)
    result = ikm_from_answers(rows)
    assert result.nrr["u1"] == Decimal("3.5")
    assert result.nrr["u3"] == Decimal("2.5")
    assert result.ikm_display == "3.2222"
    assert result.converted_display == "80.56"
    assert (result.grade, result.performance) == ("B", "Baik")
    assert result.respondents == 2


def test_hand_computed_three_respondents_with_thirds():
    # NRR u1 = (1+2+2)/3 = 1.6667, others 3 → Σ = 1.6667 + 24 = 25.6667
    # IKM = 25.6667/9 = 2.85185…; × 25 = 71.2963 → 71.30, grade C (Kurang baik)
    rows = _answers([1] + [3] * 8, [2] + [3] * 8, [2] + [3] * 8)
    result = ikm_from_answers(rows)
    assert result.converted_display == "71.30"
    assert result.grade == "C"
    assert result.performance == "Kurang baik"


def test_nrr_uses_the_count_of_filled_answers_per_unsur():
    # given sums and counts straight from SQL, u9 answered by fewer people
    sums = {code: 30 for code in UNSUR_CODES} | {"u9": 12}
    counts = {code: 10 for code in UNSUR_CODES} | {"u9": 4}
    result = ikm_compute(sums=sums, counts=counts, population=50)
    assert result.nrr["u9"] == Decimal(3)
    assert result.converted_display == "75.00"  # all NRR = 3 → IKM 3 → 75.00
    assert result.grade == "C"  # 75.00 < 76.61


@pytest.mark.parametrize(
    ("converted", "grade"),
    [("100", "A"), ("88.31", "A"), ("88.305", "A"), ("88.30", "B"), ("76.61", "B"),
     ("76.60", "C"), ("65.00", "C"), ("64.99", "D"), ("25", "D")],
)
def test_grade_bands_read_at_two_decimals(converted, grade):
    assert grade_for(Decimal(converted))[0] == grade


@pytest.mark.parametrize(
    ("population", "sample"),
    [(0, 0), (100, 80), (200, 132), (500, 218), (1_000, 278), (2_000, 323), (5_000, 357),
     (10_000, 370), (100_000, 383), (1_000_000, 384)],
)
def test_krejcie_morgan_matches_the_domain_table(population, sample):
    assert krejcie_morgan(population) == sample


def test_sample_sufficiency_flag():
    result = ikm_from_answers([ALL] * 79, population=100)
    assert result.sample_minimum == 80
    assert result.sample_sufficient is False
    assert ikm_from_answers([ALL] * 80, population=100).sample_sufficient is True


def test_no_answers_gives_no_index():
    result = ikm_compute(sums={}, counts={})
    assert result.ikm is None
    assert result.converted_display == "–"
    assert result.grade == ""


def test_breakdown_in_one_query_equals_the_three_separate_aggregates(
    tenant_a, in_tenant, django_assert_num_queries
):
    """`ikm_breakdown` (the tenant dashboard, one grouped query) gives exactly what three
    `ikm_for_period` calls give: the whole tenant, per service and per OPD, including
    invitations not answered yet, answers outside the period and responses without an OPD."""
    import datetime as dt
    import random

    from agencies.models import Agency
    from feedback.models import SkmResponse
    from feedback.selectors import Period, ikm_breakdown, ikm_for_period

    rng = random.Random(14)
    with in_tenant(tenant_a):
        agencies = [Agency.objects.create(code=f"ikm-{i}", name=f"OPD IKM {i}") for i in range(3)]
        now = dt.datetime(2026, 6, 17, 3, 0, tzinfo=dt.UTC)
        rows = []
        for i in range(120):
            answered = rng.random() < 0.7
            answers = {code: rng.randint(1, 4) for code in UNSUR_CODES}  # all: a DB check
            rows.append(SkmResponse(
                source="ticket", source_id=i, channel="counter",
                service_code=rng.choice(["KTP-EL", "KK-UBAH", "SIP-DOKTER"]),
                agency=rng.choice([*agencies, None]),
                invited_at=now - dt.timedelta(days=rng.randint(0, 40)),
                submitted_at=now - dt.timedelta(days=rng.randint(0, 20)) if answered else None,
                **(answers if answered else {}),
            ))
        SkmResponse.objects.bulk_create(rows)
        period = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))
        with django_assert_num_queries(1):
            breakdown = ikm_breakdown(period=period, tz="Asia/Jakarta")
        assert breakdown.total == ikm_for_period(period=period, tz="Asia/Jakarta")
        assert breakdown.by_service == ikm_for_period(
            period=period, tz="Asia/Jakarta", group_by="service_code")
        assert breakdown.by_agency == ikm_for_period(
            period=period, tz="Asia/Jakarta", group_by="agency_id")
        assert list(breakdown.by_agency) == list(ikm_for_period(
            period=period, tz="Asia/Jakarta", group_by="agency_id"))
        assert breakdown.total.respondents > 50
