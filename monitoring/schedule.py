"""Beat entries of the monitoring app (merged by core.discovery): public dispatchers only."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # The SLA sweep: one public dispatcher, one task per tenant (see monitoring.tasks).
    "sla-sweep": {"task": "monitoring.tasks.sla_sweep_dispatch", "schedule": 300.0},
    # Onboarding figures for every registered tenant (public data, one statement) and, per
    # ready tenant, a recompute of yesterday + today so closed days get their final figures.
    "monitoring-rollup": {
        "task": "monitoring.tasks.rollup_dispatch",
        "schedule": crontab(minute=20),
    },
}
