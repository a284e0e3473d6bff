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
    SELECT gkind, gkey, vals, cuts
    FROM unnest(%(kinds)s::int[], %(keys)s::int[], %(vals)s::text[], %(cuts)s::text[])
         AS s(gkind, gkey, vals_text, cuts_text),
         LATERAL (SELECT vals_text::{kind}[] AS vals, cuts_text::int[] AS cuts) x
), tone AS (
    SELECT gkind, gkey, v FROM unnest(%(one_kinds)s::int[], %(one_keys)s::int[],
                                      %(one_vals)s::{kind}[]) AS o(gkind, gkey, v)
), {ctes}, reference AS (
    SELECT gkind, gkey, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS median
    FROM (SELECT gkind, gkey, v FROM tsrc, unnest(vals) AS v UNION ALL SELECT * FROM tone) a
    GROUP BY gkind, gkey
)
SELECT r.gkind, r.gkey, r.median, t.median FROM reference r
FULL JOIN tmed t ON t.gkind = r.gkind AND t.gkey = r.gkey
"""


def _literal(values) -> str:
    return "{" + ",".join(repr(v) for v in values) + "}"


def _medians(rows, ones=(), *, thresholds=CUTS, kind="int"):
    """``rows``: (gkind, gkey, sorted values, cuts or None); ``ones``: (gkind, gkey, value).
    Returns {(gkind, gkey): (percentile_cont, bucket walk)}."""
    params = {
        "kinds": [r[0] for r in rows], "keys": [r[1] for r in rows],
        "vals": [_literal(r[2]) for r in rows],
        "cuts": [_literal(r[3]) if r[3] is not None else "{}" for r in rows],
        "one_kinds": [o[0] for o in ones], "one_keys": [o[1] for o in ones],
        "one_vals": [o[2] for o in ones],
    }
    sql = _SQL.format(kind=kind, ctes=bucket_median_ctes("t", thresholds, kind))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(g, k): (want, got) for g, k, want, got in cursor.fetchall()}


def _row(gkind, gkey, values, thresholds=CUTS):
    values = sorted(values)
    return (gkind, gkey, values, cuts_of(values, thresholds))


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
        _row(0, 1, [7]),  # one value
        _row(0, 2, [1, 2, 3]),  # odd, all below the first threshold
        _row(0, 3, [5, 35]),  # even: the two middle values in buckets 0 and 3, empty between
        _row(0, 4, [10, 20, 30, 40]),  # values on the thresholds
        _row(0, 5, [41, 50, 99, 1000]),  # all above the last threshold
        _row(0, 6, [12, 12, 12, 12]),  # ties
    ])
    assert result[(0, 3)][1] == 20.0 and result[(0, 1)][1] == 7.0
    _assert_exact(result)
    assert set(result) == {(0, n) for n in range(1, 7)}


@pytest.mark.django_db
def test_no_values_gives_no_median():
    assert _medians([_row(0, 1, [])]) == {}
    assert _medians([]) == {}


@pytest.mark.django_db
def test_across_days_with_live_values_and_rows_without_cuts():
    rng = random.Random(15)
    rows, ones = [], []
    for _day in range(60):
        for gkey in (1, 2, 3):
            values = [rng.randint(0, 50) for _ in range(rng.randint(0, 9))]
            rows.append(_row(0, 0, values))  # the whole
            rows.append(_row(1, gkey, values))  # and per group
    rows.append((1, 2, [3, 33, 44], None))  # written without cuts: counted value by value
    rows.append((0, 0, [3, 33, 44], None))
    ones += [(1, 3, rng.randint(0, 50)) for _ in range(25)] + [(1, 4, 17), (1, 4, 42)]
    result = _medians(rows, ones)
    assert set(result) == {(0, 0), (1, 1), (1, 2), (1, 3), (1, 4)}
    assert result[(1, 4)][1] == 29.5
    _assert_exact(result)


@pytest.mark.django_db
def test_float_durations_match_bit_for_bit():
    rng = random.Random(16)
    rows = []
    for n in (1, 2, 3, 4, 50, 51):
        for gkey in range(5):
            values = [rng.uniform(0, 70 * 86400) for _ in range(n)]
            rows.append(_row(gkey % 2, gkey, values, FINISH_CUTS))
    # a middle pair straddling a threshold, with fractional seconds
    rows.append(_row(1, 9, [43199.999999, 43200.000001], FINISH_CUTS))
    result = _medians(rows, [(1, 9, 0.1)], thresholds=FINISH_CUTS, kind="float8")
    _assert_exact(result)
    assert len(result) == 6
