"""The dashboard's exact medians from the rollups' cuts (docs/adr/0015): the bucket walk of
``reports.selectors.bucket_median_ctes`` gives what ``percentile_cont(0.5)`` gives over the
same values, bit for bit, whatever the groups, counts (none, one, even, odd), buckets (the
two middle values in different buckets, empty buckets between, values on a threshold, below
the first and above the last) and sources (rollup rows, rows without cuts, single live
values)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from reports.models import FINISH_CUTS, WAIT_CUTS, cuts_of
from reports.selectors import bucket_median_ctes

CUTS = (10, 20, 30, 40)  # small, so that buckets are easy to aim at

_SQL = """
WITH tsrc AS (
    SELECT gkey, vals, cuts
    FROM unnest(%(keys)s::int[], %(vals)s::text[], %(cuts)s::text[])
         AS s(gkey, vals_text, cuts_text),
         LATERAL (SELECT vals_text::{kind}[] AS vals, cuts_text::int[] AS cuts) x
), tone AS (
    SELECT gkey, v FROM unnest(%(one_keys)s::int[], %(one_vals)s::{kind}[]) AS o(gkey, v)
), {ctes}, reference AS (
    SELECT 1 - GROUPING(gkey) AS gkind, CASE WHEN GROUPING(gkey) = 0 THEN gkey ELSE 0 END
               AS gkey,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS median
    FROM (SELECT gkey, v FROM tsrc, unnest(vals) AS v UNION ALL SELECT * FROM tone) a
    GROUP BY GROUPING SETS ((), (gkey))
    HAVING GROUPING(gkey) = 1 OR {per_key}
)
SELECT r.gkind, r.gkey, r.median, t.median FROM reference r
FULL JOIN tmed t ON t.gkind = r.gkind AND t.gkey = r.gkey
"""


def _literal(values) -> str:
    return "{" + ",".join(repr(v) for v in values) + "}"


def _medians(rows, ones=(), *, thresholds=CUTS, kind="int", per_key=True):
    """``rows``: (gkey, sorted values, cuts or None); ``ones``: (gkey, value). Returns
    {(gkind, gkey): (percentile_cont, bucket walk)}: gkind 0 for all values (gkey 0), 1 per
    gkey."""
    params = {
        "keys": [r[0] for r in rows], "vals": [_literal(r[1]) for r in rows],
        "cuts": [_literal(r[2]) if r[2] is not None else "{}" for r in rows],
        "one_keys": [o[0] for o in ones], "one_vals": [o[1] for o in ones],
    }
    sql = _SQL.format(kind=kind, per_key="TRUE" if per_key else "FALSE",
                      ctes=bucket_median_ctes("t", thresholds, kind, per_key=per_key))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(g, k): (want, got) for g, k, want, got in cursor.fetchall()}


def _row(gkey, values, thresholds=CUTS):
    values = sorted(values)
    return (gkey, values, cuts_of(values, thresholds))


def _assert_exact(result):
    for key, (want, got) in result.items():
        assert got == want, key  # the same float8, not merely close
        assert want is not None


def test_cuts_count_the_values_strictly_below_each_threshold():
    assert cuts_of([5, 10, 10, 19, 20, 45], CUTS) == [1, 4, 5, 5]
    assert cuts_of([], CUTS) == [0, 0, 0, 0]
    assert len(cuts_of([1.5], FINISH_CUTS)) == len(FINISH_CUTS)
    assert list(FINISH_CUTS) == sorted(set(FINISH_CUTS))
    assert list(WAIT_CUTS) == sorted(set(WAIT_CUTS))


@pytest.mark.django_db
def test_odd_even_single_and_split_across_buckets():
    result = _medians([
        _row(1, [7]),  # one value
        _row(2, [1, 2, 3]),  # odd, all below the first threshold
        _row(3, [5, 35]),  # even: the two middle values in buckets 0 and 3, empty between
        _row(4, [10, 20, 30, 40]),  # values on the thresholds
        _row(5, [41, 50, 99, 1000]),  # all above the last threshold
        _row(6, [12, 12, 12, 12]),  # ties
    ])
    assert result[(1, 3)][1] == 20.0 and result[(1, 1)][1] == 7.0
    _assert_exact(result)
    assert set(result) == {(0, 0)} | {(1, n) for n in range(1, 7)}
    whole = _medians([_row(0, [5, 35]), _row(0, [1])], per_key=False)
    assert set(whole) == {(0, 0)} and whole[(0, 0)][1] == 5.0


@pytest.mark.django_db
def test_no_values_gives_no_median():
    # percentile_cont over nothing is NULL (its whole group still gives a row); so is ours
    assert _medians([_row(1, [])]) == {(0, 0): (None, None)}
    assert _medians([]) == {(0, 0): (None, None)}
    assert _medians([], [(1, 4)]) == {(0, 0): (4.0, 4.0), (1, 1): (4.0, 4.0)}


@pytest.mark.django_db
def test_across_days_with_live_values_and_rows_without_cuts():
    rng = random.Random(15)
    rows = []
    for _day in range(60):
        for gkey in (1, 2, 3):
            rows.append(_row(gkey, [rng.randint(0, 50) for _ in range(rng.randint(0, 9))]))
    rows.append((2, [3, 33, 44], None))  # written without cuts: counted value by value
    ones = [(3, rng.randint(0, 50)) for _ in range(25)] + [(4, 17), (4, 42)]
    result = _medians(rows, ones)
    assert set(result) == {(0, 0), (1, 1), (1, 2), (1, 3), (1, 4)}
    assert result[(1, 4)][1] == 29.5
    _assert_exact(result)
    _assert_exact(_medians(rows, ones, per_key=False))


@pytest.mark.django_db
def test_float_durations_match_bit_for_bit():
    rng = random.Random(16)
    rows = []
    for n in (1, 2, 3, 4, 50, 51):
        for gkey in range(5):
            rows.append(_row(gkey, [rng.uniform(0, 70 * 86400) for _ in range(n)], FINISH_CUTS))
    # a middle pair straddling a threshold, with fractional seconds
    rows.append(_row(9, [43199.999999, 43200.000001], FINISH_CUTS))
    result = _medians(rows, [(9, 0.1)], thresholds=FINISH_CUTS, kind="float8")
    _assert_exact(result)
    assert len(result) == 7
