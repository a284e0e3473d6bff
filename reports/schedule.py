"""Beat entries of the reports app (merged by core.discovery): public dispatchers only."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Per ready tenant: roll up yesterday (tenant-local, so hourly: WIB, WITA and WIT days end
    # at different hours) and re-roll the days whose applications changed since.
    "reports-daily-figures": {
        "task": "reports.tasks.daily_figures_dispatch",
        "schedule": crontab(minute=35),
    },
}
