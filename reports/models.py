"""Models of the reports app: the daily rollups the tenant dashboard reads (docs/adr/0012).

:class:`DailyFigures` holds, per tenant-local submission day, the applications figures of
that day grouped by service × OPD × current status: counts, and the raw values the
period medians and the live "breached" count need (so a period's figures are exact, not
estimated). One extra row per day (``status=""``, the *day row*) says the day was
rolled up and when; a day without it, or with an application updated after it, is
computed live by the dashboard (reports.selectors).

:class:`QueueDailyFigures` does the same for the hall's queue tickets (docs/adr/0015): per
ticket day × OPD, one row per counter (``hour=ALL_HOURS``) and one per hour of the call
(``counter_id=ALL_COUNTERS``) with the counts, the sums of the means and the sorted waits
(exact medians); its day row has ``hour=DAY_ROW_HOUR``.

The :class:`SkmDailyFigures` hold the SKM questionnaires (PermenPANRB 14/2017) per day ×
service × OPD: the sums and counts of the answers of those submitted that day and the
invitations made that day (the IKM adds them up). Both instants are set once, to the moment
of the write (``feedback.services``), so a day rolled up after it ended (plus
``ROLLUP_MARGIN``) never goes stale; its day row has ``agency_id=DAY_ROW_AGENCY``.

The first two also keep, per row, how many of its sorted values lie below each of a fixed list of
thresholds (``finish_cuts`` over ``FINISH_CUTS``, ``wait_cuts`` over ``WAIT_CUTS``;
:func:`cuts_of`): the dashboard sums them over the period to find the one bucket between
two thresholds that holds each median, and reads and sorts only that bucket's values
(exact, without sorting the whole period; reports.selectors). Changing a threshold list
means recomputing every row's cuts (a migration, as 0003 does).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from django.contrib.postgres.fields import ArrayField
from django.db import models

DAY_ROW_STATUS = ""  # the status of the one row per day that marks the day as rolled up
DAY_ROW_HOUR = -2  # the hour of the one queue row per day that marks the day as rolled up
DAY_ROW_AGENCY = -1  # the agency_id of the one SKM row per day that marks the day as rolled up
NO_COUNTER, NOT_CALLED = 0, -1  # counter_id of tickets no counter called, hour of uncalled ones
# (ALL_HOURS, ALL_COUNTERS: the two kinds of rows, per counter and per hour; hall.selectors)

_HOUR, _DAY = 3600, 86400
# seconds from submission to decision/completion: every 12 hours to two weeks, then coarser
FINISH_CUTS: tuple[int, ...] = (
    *range(12 * _HOUR, 14 * _DAY + 1, 12 * _HOUR), 21 * _DAY, 30 * _DAY, 60 * _DAY, 90 * _DAY)
# seconds of a queue wait: every 5 minutes to two hours, then coarser
WAIT_CUTS: tuple[int, ...] = (*range(300, 7201, 300), 3 * _HOUR, 4 * _HOUR, 6 * _HOUR, 8 * _HOUR)


def cuts_of(values: Sequence[float], thresholds: Sequence[float]) -> list[int]:
    """For sorted ``values``: how many are below each threshold (``v < t``, as SQL compares
    them)."""
    return [bisect_left(values, t) for t in thresholds]


class DailyFigures(models.Model):
    day = models.DateField()  # tenant-local day of ``Application.submitted_at``
    service_code = models.CharField(max_length=12, blank=True)
    agency_id = models.IntegerField(default=0)  # the OPD holding the file (no FK: a copy)
    status = models.CharField(max_length=20, blank=True)
    received = models.IntegerField(default=0)
    met = models.IntegerField(default=0)  # finished by its deadline
    missed = models.IntegerField(default=0)  # finished after its deadline
    # seconds from submission to decision/completion of the finished ones, sorted (medians)
    finish_seconds = ArrayField(models.FloatField(), default=list, blank=True)
    # deadlines (epoch microseconds) of the undecided ones, sorted: "breached" = those < now
    open_due_us = ArrayField(models.BigIntegerField(), default=list, blank=True)
    finish_cuts = ArrayField(models.IntegerField(), default=list, blank=True)  # FINISH_CUTS
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service_code", "agency_id", "status"], name="reports_daily_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_code} {self.agency_id} {self.status}"


class QueueDailyFigures(models.Model):
    """Queue tickets of one day (``hall.Ticket.day``) × OPD × counter (all hours) or × hour
    of the call in the tenant's time zone (all counters), as ``hall.selectors.queue_rows_sql``
    computes them."""

    day = models.DateField()
    agency_id = models.IntegerField(default=0)  # no FK: a copy
    counter_id = models.IntegerField(default=NO_COUNTER)  # no FK: a deleted counter stays
    hour = models.SmallIntegerField(default=NOT_CALLED)
    tickets = models.IntegerField(default=0)  # not cancelled
    served = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    bookings = models.IntegerField(default=0)
    wait_n = models.IntegerField(default=0)  # tickets with a wait time, and its sum (seconds)
    wait_sum = models.BigIntegerField(default=0)
    service_n = models.IntegerField(default=0)
    service_sum = models.BigIntegerField(default=0)
    waits = ArrayField(models.IntegerField(), default=list, blank=True)  # seconds, sorted
    wait_cuts = ArrayField(models.IntegerField(), default=list, blank=True)  # WAIT_CUTS
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agency_id", "counter_id", "hour"], name="reports_queue_daily_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.counter_id} {self.hour}"


class SkmDailyFigures(models.Model):
    """SKM questionnaires of one tenant-local day × service × OPD (``agency_id`` 0: none), as
    ``feedback.selectors.skm_day_rows`` sums them: per unsur the sum and count of the answers
    submitted that day, the respondents (submitted that day) and the population (invited that
    day). The dashboard sums the rows of the period (docs/adr/0015)."""

    day = models.DateField()
    service_code = models.CharField(max_length=12, blank=True)
    agency_id = models.IntegerField(default=0)  # no FK: a copy
    u1_sum = models.IntegerField(default=0)
    u2_sum = models.IntegerField(default=0)
    u3_sum = models.IntegerField(default=0)
    u4_sum = models.IntegerField(default=0)
    u5_sum = models.IntegerField(default=0)
    u6_sum = models.IntegerField(default=0)
    u7_sum = models.IntegerField(default=0)
    u8_sum = models.IntegerField(default=0)
    u9_sum = models.IntegerField(default=0)
    u1_n = models.IntegerField(default=0)
    u2_n = models.IntegerField(default=0)
    u3_n = models.IntegerField(default=0)
    u4_n = models.IntegerField(default=0)
    u5_n = models.IntegerField(default=0)
    u6_n = models.IntegerField(default=0)
    u7_n = models.IntegerField(default=0)
    u8_n = models.IntegerField(default=0)
    u9_n = models.IntegerField(default=0)
    respondents = models.IntegerField(default=0)
    population = models.IntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service_code", "agency_id"], name="reports_skm_daily_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_code} {self.agency_id}"
