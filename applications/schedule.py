"""Celery beat entries of the applications app (merged by core.discovery)."""

BEAT_SCHEDULE = {
    "applications-notifications-flush": {
        "task": "applications.tasks.notifications_flush_dispatch",
        "schedule": 60.0,
    },
    "applications-attachment-orphans-sweep": {  # copies left by rolled-back submissions
        "task": "applications.tasks.attachment_orphans_sweep_dispatch",
        "schedule": 86400.0,
    },
}
