"""Ministry monitoring (public schema): daily rollups per tenant and the SLA sweep's run log.

The ministry console reads only these tables, never the tenant schemas (see
monitoring/README.md for the rollup contract). Public tables reference tenants; nothing here
references a tenant-schema row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricGroup(models.TextChoices):
    APPLICATIONS = "applications", _("Permohonan")
    ONBOARDING = "onboarding", _("Orientasi")
    SERVICES = "services", _("Layanan")
    BREACHES = "breaches", _("Pelanggaran SLA")
    STEPS = "steps", _("Langkah alur per OPD")


class TenantDailyRollup(models.Model):
    """One tenant's figures of one metric group for one local day (upserted, never summed).

    `metrics` holds the full figures (per category, per service, …); the typed columns repeat
    the headline figures of the "applications" group so the console can sort and aggregate in
    SQL. Rows of other groups leave the typed columns NULL.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="daily_rollups"
    )
    day = models.DateField(_("tanggal"))
    metric_group = models.CharField(_("kelompok metrik"), max_length=32)
    metrics = models.JSONField(_("metrik"), default=dict)
    # Flow figures of the day (tenant-local day).
    received = models.PositiveIntegerField(null=True, blank=True)
    decided = models.PositiveIntegerField(null=True, blank=True)
    completed = models.PositiveIntegerField(null=True, blank=True)
    met = models.PositiveIntegerField(null=True, blank=True)
    missed = models.PositiveIntegerField(null=True, blank=True)
    new_breaches = models.PositiveIntegerField(null=True, blank=True)
    # Snapshot figures, as of `computed_at` (the end of the day once the day has closed).
    open = models.PositiveIntegerField(null=True, blank=True)
    at_risk = models.PositiveIntegerField(null=True, blank=True)
    breached = models.PositiveIntegerField(null=True, blank=True)
    sla_compliance_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    median_processing_hours = models.DecimalField(
        max_digits=9, decimal_places=2, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("rekap harian tenant")
        verbose_name_plural = _("rekap harian tenant")
        constraints = [
            # Column order (tenant, group, day) also serves "latest row per tenant and group".
            models.UniqueConstraint(
                fields=["tenant", "metric_group", "day"], name="rollup_unique_tenant_group_day"
            ),
        ]
        indexes = [models.Index(fields=["metric_group", "day"], name="rollup_group_day_idx")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.metric_group} {self.day}"


class FiguresVersion(models.Model):
    """One row whose `value` the monitoring services raise in the same transaction as each
    write of rollups or sweep outcomes, so a reader sees the new value exactly when it sees the
    new figures. The ministry console keeps its figures per process until it changes
    (ADR 0016)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("versi angka pemantauan")
        verbose_name_plural = _("versi angka pemantauan")

    def __str__(self) -> str:
        return f"figures v{self.value}"


class SweepRun(models.Model):
    """One dispatch of the SLA sweep over the fleet."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    tenants_dispatched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("putaran pemeriksaan SLA")
        verbose_name_plural = _("putaran pemeriksaan SLA")

    def __str__(self) -> str:
        return f"sweep #{self.pk} {self.started_at:%Y-%m-%d %H:%M}"


class TenantSweepResult(models.Model):
    """The outcome of one tenant's part of a sweep (a failure here never stops the others)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        OK = "ok", _("Berhasil")
        FAILED = "failed", _("Gagal")

    run = models.ForeignKey(
        SweepRun, on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="sweep_results"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    at_risk = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    deemed_approved = models.PositiveIntegerField(default=0)
    steps_breached = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "tenant"], name="sweepresult_unique_run_tenant"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "-id"], name="sweepresult_tenant_latest")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.status}"
