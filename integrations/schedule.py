"""Celery beat entries of the integrations app (merged by core.discovery)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "integrations-webhooks-due": {
        "task": "integrations.tasks.webhooks_due_dispatch",
        "schedule": 300.0,
    },
    "integrations-oidc-cleartokens": {
        "task": "integrations.tasks.oidc_cleartokens_dispatch",
        "schedule": crontab(hour=2, minute=17),
    },
}
