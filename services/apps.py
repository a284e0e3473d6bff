from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"

    def ready(self) -> None:
        from .portal_cache import connect_invalidation

        connect_invalidation()
