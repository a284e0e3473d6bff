"""Benchmark of the SLA deadline engine (``sla.engine``), one core, no Django.

``run()`` returns metric dicts; ``python bench/bench_sla.py`` prints one JSON object per line.

* ``sla_due_date_per_second``: ``compute_due`` for 5-working-day targets, starts spread
  uniformly over 2026 (WIB calendar, Mon-Fri with Friday's long break, national holidays +
  cuti bersama 2025-2027 from the ``holidays`` package), reasons included.  Target >= 50,000/s.
* ``sla_due_date_with_pause_per_second``: the same with one closed pause per computation.
* ``sla_due_date_naive_per_second``: a day-by-day loop (``sla.engine.reference``), the
  way Frappe Helpdesk computes it, and ``sla_due_date_speedup_vs_naive`` the ratio.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # executed as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sla.engine import Pause, Target, WorkCalendar, compute_due
from sla.engine.reference import naive_working_days_due
from sla.holidays_id import build_holiday_map

N_STARTS = 20_000
ROUNDS = 5
TZ = ZoneInfo("Asia/Jakarta")


def _best_rate(func: Callable[[], int], rounds: int = ROUNDS) -> float:
    best = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        count = func()
        elapsed = time.perf_counter() - t0
        best = max(best, count / elapsed)
    return best


def run() -> list[dict[str, object]]:
    calendar = WorkCalendar.create(
        timezone="Asia/Jakarta", holidays=build_holiday_map(range(2025, 2028)), version="bench"
    )
    rnd = random.Random(20260101)
    year_start = datetime(2026, 1, 1, tzinfo=TZ)
    starts = [year_start + timedelta(seconds=rnd.randrange(365 * 86_400)) for _ in range(N_STARTS)]
    pauses: list[tuple[Pause]] = []
    for start in starts:
        pause_start = start + timedelta(hours=rnd.randrange(1, 48))
        pauses.append((Pause(pause_start, pause_start + timedelta(hours=rnd.randrange(1, 72))),))
    target = Target.working_days(5)
    compute_due(starts[0], target, calendar)  # build the calendar index once (as in a worker)

    def fast() -> int:
        for start in starts:
            compute_due(start, target, calendar)
        return len(starts)

    def with_pause() -> int:
        for start, pause in zip(starts, pauses, strict=True):
            compute_due(start, target, calendar, pause)
        return len(starts)

    naive_starts = starts[: N_STARTS // 5]

    def naive() -> int:
        for start in naive_starts:
            naive_working_days_due(start, 5, calendar)
        return len(naive_starts)

    fast_rate = _best_rate(fast)
    pause_rate = _best_rate(with_pause)
    naive_rate = _best_rate(naive)
    conditions: dict[str, object] = {
        "target": "5 hari kerja",
        "starts": f"{N_STARTS} uniform over 2026",
        "calendar": "Asia/Jakarta, Mon-Fri, Friday long break, holidays + cuti bersama 2025-2027",
        "reasons": True,
        "rounds": f"best of {ROUNDS}",
        "cores": 1,
        "python": platform.python_version(),
    }
    return [
        {
            "name": "sla_due_date_per_second",
            "value": round(fast_rate),
            "unit": "1/s",
            "conditions": {**conditions, "pauses": 0, "goal": ">= 50000"},
        },
        {
            "name": "sla_due_date_with_pause_per_second",
            "value": round(pause_rate),
            "unit": "1/s",
            "conditions": {**conditions, "pauses": 1},
        },
        {
            "name": "sla_due_date_naive_per_second",
            "value": round(naive_rate),
            "unit": "1/s",
            "conditions": {**conditions, "implementation": "day-by-day loop", "reasons": False},
        },
        {
            "name": "sla_due_date_speedup_vs_naive",
            "value": round(fast_rate / naive_rate, 2),
            "unit": "ratio",
            "conditions": {"numerator": "sla_due_date_per_second", "denominator": "naive"},
        },
    ]


if __name__ == "__main__":
    for metric in run():
        print(json.dumps(metric, ensure_ascii=False))
