"""IKM (Indeks Kepuasan Masyarakat) arithmetic of PermenPANRB 14/2017 - pure functions.

Decisions (domain.md §2.3-2.5):

* **Weight exactly 1/9.** Every unsur weighs the same, 1/9, computed exactly with
  :class:`~decimal.Decimal` (28 significant digits). Some public implementations round the
  weight to 0.11, which caps the converted IKM at 4 × 0.99 × 25 = 99.00 (domain.md §2.3);
  with 1/9 the maximum is exactly 100.00.
* ``NRR_i`` = sum of unsur i's scores / number of filled answers of unsur i.
* ``IKM`` (1-4) = Σ NRR_i × 1/9. When an unsur has no answer at all (our questionnaire makes
  all nine mandatory, so only for empty data), the weight is 1/(number of unsur answered) -
  "total nilai persepsi per unsur / total unsur yang terisi".
* ``converted`` (25-100) = IKM × 25. Nothing is rounded before this point; values are shown
  to 2 decimals (ROUND_HALF_UP) and the **grade is read from the 2-decimal value**, so the
  shown number and the grade always agree: A ≥ 88.31, B ≥ 76.61, C ≥ 65.00, otherwise D
  (the official bands leave gaps between 76.60/76.61 and 88.30/88.31; §2.4).
* Sample size: Krejcie & Morgan, S = χ²NP(1−P) / (d²(N−1) + χ²P(1−P)), χ² = 3.841,
  P = 0.5, d = 0.05, rounded up (§2.5): 100 → 80, 1,000 → 278, 100,000 → 383.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction

from .questionnaire import UNSUR_CODES

N_UNSUR = 9
WEIGHT = Fraction(1, N_UNSUR)  # applied as a division by 9, so no rounded weight enters
CONVERSION = Decimal(25)
TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")

# (threshold on the 25-100 scale, grade, kinerja unit)
GRADE_BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang baik"),
    (Decimal("0"), "D", "Tidak baik"),
)

KM_CHI_SQUARE = Decimal("3.841")
KM_P = Decimal("0.5")
KM_D = Decimal("0.05")


def nrr(total: int | Decimal, count: int) -> Decimal | None:
    """Nilai rata-rata of one unsur; ``None`` when nobody answered it."""
    if not count:
        return None
    return Decimal(total) / Decimal(count)


def grade_for(converted: Decimal) -> tuple[str, str]:
    """``(mutu, kinerja)`` of a converted IKM, read at 2 decimals."""
    shown = converted.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    for threshold, grade, label in GRADE_BANDS:
        if shown >= threshold:
            return grade, label
    return "D", "Tidak baik"


def krejcie_morgan(population: int) -> int:
    """Minimum sample for a population of ``population`` transactions (0 for 0)."""
    if population <= 0:
        return 0
    n = Decimal(population)
    pq = KM_P * (1 - KM_P)
    value = (KM_CHI_SQUARE * n * pq) / (KM_D * KM_D * (n - 1) + KM_CHI_SQUARE * pq)
    return int(value.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    population: int
    nrr: dict[str, Decimal | None]  # per unsur code (u1 … u9), unrounded
    ikm: Decimal | None  # 1-4, unrounded
    converted: Decimal | None  # 25-100, unrounded
    grade: str
    performance: str
    sample_minimum: int

    @property
    def converted_display(self) -> str:
        if self.converted is None:
            return "–"
        return f"{self.converted.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)}"

    @property
    def ikm_display(self) -> str:
        if self.ikm is None:
            return "–"
        return f"{self.ikm.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)}"

    def nrr_display(self) -> list[tuple[str, str]]:
        return [
            (code, "–" if value is None else f"{value.quantize(FOUR_PLACES, ROUND_HALF_UP)}")
            for code, value in self.nrr.items()
        ]

    @property
    def sample_sufficient(self) -> bool:
        return self.respondents >= self.sample_minimum

    def as_dict(self) -> dict[str, object]:
        """JSON-safe figures (strings at 2/4 decimals) for APIs and rollups."""
        return {
            "respondents": self.respondents,
            "population": self.population,
            "sample_minimum": self.sample_minimum,
            "sample_sufficient": self.sample_sufficient,
            "nrr": dict(self.nrr_display()),
            "ikm": None if self.ikm is None else self.ikm_display,
            "ikm_converted": None if self.converted is None else self.converted_display,
            "grade": self.grade,
            "performance": self.performance,
        }


def ikm_compute(
    *, sums: Mapping[str, int | Decimal | None], counts: Mapping[str, int | None],
    respondents: int | None = None, population: int = 0,
) -> IkmResult:
    """IKM from per-unsur sums and answer counts (keys ``u1`` … ``u9``)."""
    nrrs = {code: nrr(sums.get(code) or 0, counts.get(code) or 0) for code in UNSUR_CODES}
    filled = [value for value in nrrs.values() if value is not None]
    if not filled:
        index = converted = None
        grade, label = "", ""
    else:
        # Σ NRR_i × 1/9 computed as Σ NRR_i / 9 (1/n when an unsur has no answer at all)
        index = sum(filled, Decimal(0)) / Decimal(len(filled))
        converted = index * CONVERSION
        grade, label = grade_for(converted)
    if respondents is None:
        respondents = max((counts.get(code) or 0 for code in UNSUR_CODES), default=0)
    return IkmResult(
        respondents=respondents, population=population, nrr=nrrs, ikm=index,
        converted=converted, grade=grade, performance=label,
        sample_minimum=krejcie_morgan(population),
    )


def ikm_from_answers(answers: Sequence[Mapping[str, int | None]], *, population: int = 0) -> IkmResult:
    """IKM from individual questionnaires (``{"u1": 4, …}``), for tests and small sets."""
    sums: dict[str, int] = dict.fromkeys(UNSUR_CODES, 0)
    counts: dict[str, int] = dict.fromkeys(UNSUR_CODES, 0)
    for answer in answers:
        for code in UNSUR_CODES:
            value = answer.get(code)
            if value is not None:
                sums[code] += int(value)
                counts[code] += 1
    return ikm_compute(sums=sums, counts=counts, respondents=len(answers), population=population)
