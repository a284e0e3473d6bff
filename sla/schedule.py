"""Beat entries of the sla app (merged by core.discovery): one public dispatcher."""

BEAT_SCHEDULE = {
    "sla-sweep": {"task": "sla.tasks.sla_sweep_dispatch", "schedule": 300.0},
}
