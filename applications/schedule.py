"""Celery beat entries of the applications app (merged by core.discovery)."""

BEAT_SCHEDULE = {
    "applications-notifications-flush": {
        "task": "applications.tasks.notifications_flush_dispatch",
        "schedule": 60.0,
    },
}
