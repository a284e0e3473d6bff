"""Tracking codes from the per-prefix counter row (docs/adr/0014): sequential, starting after
codes already issued, a rolled-back submission gives its number back, the seeding moves the
counter past the codes it writes, and concurrent submissions in separate transactions (real
threads, real PostgreSQL connections) never get the same number."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, connections, transaction

from applications.models import Application, TrackingCounter
from applications.tracking import tracking_code_next, tracking_counters, tracking_counters_raise

# a fixed instant: the prefix's month never depends on the day the tests run
WHEN = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # 10:00 in Jakarta, March 2026


def _code(service: str) -> str:
    with transaction.atomic():
        return tracking_code_next(service_code=service, when=WHEN)


def test_codes_follow_the_counter_and_keep_the_format(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        codes = [_code("KK-UBAH") for _ in range(3)]
        other = _code("KTP-BARU")
        assert codes == ["3273-KKUBAH-2603-0001", "3273-KKUBAH-2603-0002",
                         "3273-KKUBAH-2603-0003"]
        assert other == "3273-KTPBARU-2603-0001"  # one sequence per service and month
        assert tracking_counters()["3273-KKUBAH-2603-"] == 3


def test_the_first_code_of_a_prefix_follows_codes_issued_before_the_counter(
    kk_offering, citizen, tenant_a, in_tenant
):
    with in_tenant(tenant_a):
        Application.objects.create(
            offering=kk_offering, service_code="KK-UBAH",
            service_version_id=kk_offering.service_version_id, agency_id=kk_offering.agency_id,
            applicant_id=citizen.pk, status="submitted", tracking_code="3273-KKUBAH-2603-0041",
        )
        assert not TrackingCounter.objects.filter(prefix="3273-KKUBAH-2603-").exists()
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0042"
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0043"


def test_a_rolled_back_submission_gives_its_number_back(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0001"
        taken: list[str] = []

        @transaction.atomic
        def fails_later() -> None:
            taken.append(tracking_code_next(service_code="KK-UBAH", when=WHEN))
            raise RuntimeError("validation failed later in the submission")

        with pytest.raises(RuntimeError):
            fails_later()
        assert taken == ["3273-KKUBAH-2603-0002"]
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0002"


def test_counters_raised_past_codes_written_directly(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0001"
        tracking_counters_raise({"3273-KKUBAH-2603-": 17, "3273-KIA-2603-": 4})
        tracking_counters_raise({"3273-KKUBAH-2603-": 5})  # never lowered
        assert _code("KK-UBAH") == "3273-KKUBAH-2603-0018"
        assert _code("KIA") == "3273-KIA-2603-0005"


def test_the_demo_seeding_moves_the_counters_past_its_codes(
    catalog, tenant_a, in_tenant, user_factory, staff_user
):
    import random

    from accounts.seeding import DEMO_CITIZENS_DOMAIN
    from applications.seeding import seed_demo_activity
    from applications.tracking import tracking_prefix
    from services.seeding import seed_demo_tenant

    user_factory(email=f"warga{DEMO_CITIZENS_DOMAIN}")
    staff_user(tenant_a)
    with in_tenant(tenant_a):
        seed_demo_tenant(tenant=tenant_a)
        assert seed_demo_activity(tenant=tenant_a, days=20, rng=random.Random(7)) > 0
        latest = Application.objects.exclude(tracking_code=None).order_by("-submitted_at").first()
        prefix = tracking_prefix(region_code=tenant_a.region_code,
                                 service_code=latest.service_code, when=latest.submitted_at,
                                 tz=tenant_a.timezone)
        highest = max(int(c.rsplit("-", 1)[1]) for c in Application.objects.filter(
            tracking_code__startswith=prefix).values_list("tracking_code", flat=True))
        assert tracking_counters()[prefix] == highest
        with transaction.atomic():
            code = tracking_code_next(service_code=latest.service_code,
                                      when=latest.submitted_at)
        assert code == f"{prefix}{highest + 1:04d}"


def test_concurrent_allocations_in_separate_transactions_are_unique(tenant_a):
    """Six connections take a code of the same (fresh) prefix at the same moment, each in its
    own transaction that stays open a little while after taking it: the row lock makes the
    others wait; every code differs and they are 1..6 (one creates the counter row, the
    others update it)."""
    service = f"T{uuid.uuid4().hex[:6].upper()}"
    prefix = f"3273-{service}-2603-"
    n = 6
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def take(i: int) -> None:
        try:
            connection.set_tenant(tenant_a)
            barrier.wait(20)
            with transaction.atomic():
                code = tracking_code_next(service_code=service, when=WHEN)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.05)")  # hold the lock: the others queue
            results[i] = code
        except Exception as exc:  # reported to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(i,)) for i in range(n)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        errors = [r for r in results if not isinstance(r, str)]
        assert not errors, errors
        assert sorted(results) == [f"{prefix}{i:04d}" for i in range(1, n + 1)]
    finally:
        def cleanup() -> None:
            try:
                connection.set_tenant(tenant_a)
                TrackingCounter.objects.filter(prefix=prefix).delete()
            finally:
                connections.close_all()

        cleaner = threading.Thread(target=cleanup)
        cleaner.start()
        cleaner.join(30)
