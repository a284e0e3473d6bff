"""Models of the reports app: the daily rollups the tenant dashboard reads (docs/adr/0012).

:class:`DailyFigures` holds, per tenant-local submission day, the applications figures of
that day grouped by service × OPD × current status: counts, and the raw values the
period medians and the live "breached" count need (so a period's figures are exact, not
estimated). One extra row per day (``status=""``, the *day row*) says the day was
rolled up and when; a day without it, or with an application updated after it, is
computed live by the dashboard (reports.selectors).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

DAY_ROW_STATUS = ""  # the status of the one row per day that marks the day as rolled up


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
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "service_code", "agency_id", "status"], name="reports_daily_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_code} {self.agency_id} {self.status}"
