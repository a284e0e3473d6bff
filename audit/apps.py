from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Log audit"

    def ready(self) -> None:
        from .context import connect_task_signals

        connect_task_signals()
