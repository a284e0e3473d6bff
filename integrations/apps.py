from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self) -> None:
        _unregister_toolkit_admin()


def _unregister_toolkit_admin() -> None:
    """django-oauth-toolkit registers its (swapped, tenant-schema) models in the Django admin,
    which serves the platform host (public schema) where those tables do not exist."""
    from django.apps import apps
    from django.contrib import admin

    for name in ("OidcClient", "AccessToken", "RefreshToken", "IDToken", "Grant"):
        model = apps.get_model("integrations", name)
        if admin.site.is_registered(model):
            admin.site.unregister(model)
