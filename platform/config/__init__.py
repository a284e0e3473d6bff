"""Project wiring for MPP Digital (import name `config`; lives in the `platform/` source root)."""

from .celery_app import app as celery_app

__all__ = ("celery_app",)
