"""Celery beat entries of the signing app (merged by core.discovery)."""

BEAT_SCHEDULE = {
    "signing-jobs-sweep": {"task": "signing.tasks.signature_jobs_sweep", "schedule": 120.0},
}
