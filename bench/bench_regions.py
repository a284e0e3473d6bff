"""Benchmarks of region management (`make bench BENCH_ARGS=regions`).

* ``region_import_seconds``: preview + apply of an uploaded CSV (wide layout) with every
  kecamatan and desa of the largest kab/kota, Kabupaten Aceh Utara (11.08, 852 desa), into an
  empty tenant schema of the bench database (the tenant is created once with
  ``tenant_create_ready``; its regions are emptied before each round). Target <= 1 s.
* ``region_reference_load_seconds``: cold load and indexing of the whole national list
  (38 provinces, 514 kab/kota, 7,285 kecamatan, 83,762 desa/kelurahan) in a fresh Python
  process (``regions.reference.load_all()``), measured inside that process. Target <= 5 s.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGENCY = "11.08"  # Kabupaten Aceh Utara: the most desa of any kab/kota
ROUNDS = 5


def _csv_for(regency_code: str) -> tuple[bytes, int, int]:
    from regions import reference

    districts = {d.code: d.name for d in reference.districts_of(regency_code)}
    villages = reference.villages_of(regency_code)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["kode_kecamatan", "nama_kecamatan", "kode_desa", "nama_desa"])
    for village in villages:
        writer.writerow(
            [village.district_code, districts[village.district_code], village.code, village.name]
        )
    return buffer.getvalue().encode("utf-8"), len(districts), len(villages)


def _largest_regency() -> str:
    from regions import reference

    return max(reference.regencies(), key=lambda r: len(reference.villages_of(r.code))).code


def _import_seconds() -> dict[str, object]:
    from django_tenants.utils import tenant_context

    from regions.models import District, RegionImport, Village
    from regions.services import region_import_apply, region_import_preview
    from tenants.services import tenant_create_ready

    assert _largest_regency() == REGENCY
    data, n_districts, n_villages = _csv_for(REGENCY)
    tenant = tenant_create_ready(region_code=REGENCY)
    timings = []
    with tenant_context(tenant):
        for _round in range(ROUNDS):
            Village.objects.all().delete()
            District.objects.all().delete()
            RegionImport.objects.all().delete()
            started = time.perf_counter()
            preview = region_import_preview(source="file", file_bytes=data, filename="acehutara.csv")
            assert preview.ok and preview.summary()["added"] == n_districts + n_villages
            record = region_import_apply(
                actor=None, source="file", file_bytes=data, filename="acehutara.csv"
            )
            timings.append(time.perf_counter() - started)
            assert record.counts["added"] == n_districts + n_villages
        assert Village.objects.filter(is_active=True).count() == n_villages
    return {
        "name": "region_import_seconds",
        "value": round(statistics.median(timings), 3),
        "unit": "s",
        "target": 1.0,
        "conditions": {
            "regency": f"{REGENCY} Kabupaten Aceh Utara",
            "districts": n_districts,
            "villages": n_villages,
            "file": f"CSV wide layout, {len(data)} bytes",
            "work": "preview (parse+validate+diff) + apply (one transaction, bulk insert, "
                    "RegionImport with full diff) into an empty tenant schema",
            "rounds": ROUNDS,
            "statistic": "median",
            "best": round(min(timings), 3),
            "worst": round(max(timings), 3),
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
    }


_LOAD_SNIPPET = """
import json, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from regions import reference
reference.load_all()
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "villages": len(reference._villages()[0]),
                  "districts": len(reference._districts()[0]),
                  "regencies": len(reference.regencies())}}))
"""


def _reference_load_seconds() -> dict[str, object]:
    timings = []
    info: dict[str, int] = {}
    for _round in range(ROUNDS):
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        out = subprocess.run(
            [sys.executable, "-c", _LOAD_SNIPPET.format(root=str(ROOT))],
            capture_output=True, text=True, check=True, cwd=str(ROOT), env=env,
        ).stdout
        info = json.loads(out.strip().splitlines()[-1])
        timings.append(info["seconds"])
    assert info["villages"] == 83_762
    return {
        "name": "region_reference_load_seconds",
        "value": round(statistics.median(timings), 3),
        "unit": "s",
        "target": 5.0,
        "conditions": {
            "process": "fresh Python process per round (import + regions.reference.load_all())",
            "villages": info["villages"],
            "districts": info["districts"],
            "regencies": info["regencies"],
            "source": "regions/data/*.csv(.gz), standard library csv + gzip",
            "rounds": ROUNDS,
            "statistic": "median",
            "best": round(min(timings), 3),
            "worst": round(max(timings), 3),
            "python": platform.python_version(),
            "machine": platform.machine(),
        },
    }


def run() -> list[dict[str, object]]:
    return [_import_seconds(), _reference_load_seconds()]
