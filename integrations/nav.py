from django.utils.translation import gettext_lazy as _

BACKOFFICE = [(80, _("Integrasi"), "integrations:manage")]
PLATFORM = [(60, _("Data terbuka"), "integrations:open-data")]
