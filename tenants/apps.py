from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenant (kabupaten/kota)"

    def ready(self) -> None:
        from .routing import connect_invalidation

        connect_invalidation()
