from django.utils.translation import gettext_lazy as _

from .conf import oidc_available

BACKOFFICE = [(80, _("Integrasi"), "integrations:manage")] if oidc_available() else []
PLATFORM = [(60, _("Data terbuka"), "integrations:open-data")]
