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
