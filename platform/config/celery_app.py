"""The Celery app. Built on tenant-schemas-celery's CeleryApp so that the active schema travels
with every task in a `_schema_name` header and the worker switches to it before running."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if not os.environ["DJANGO_SETTINGS_MODULE"].endswith("production"):
    from config.devdb import ensure_database_url

    ensure_database_url()  # the embedded PostgreSQL default, as manage.py does

app = CeleryApp("mpp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_dirs() -> None:
    """The single-machine filesystem broker and result backend need their folders."""
    from pathlib import Path

    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
        if settings.CELERY_RESULT_BACKEND.startswith("file://"):
            Path(settings.CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(
                parents=True, exist_ok=True
            )


@app.on_after_configure.connect
def _setup(sender, **kwargs) -> None:
    _ensure_filesystem_broker_dirs()


@app.on_after_finalize.connect
def _merge_app_schedules(sender, **kwargs) -> None:
    """Each app's `schedule.BEAT_SCHEDULE` joins beat (see core.discovery)."""
    from core.discovery import collect

    for schedule in collect("schedule", "BEAT_SCHEDULE"):
        sender.conf.beat_schedule.update(schedule)
