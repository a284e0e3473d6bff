"""Beat entries of the feedback app (merged by core.discovery)."""

BEAT_SCHEDULE = {
    "feedback-hourly": {"task": "feedback.tasks.feedback_dispatch", "schedule": 3600.0},
}
