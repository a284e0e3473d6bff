"""Navigation links of onboarding and region management (core.context_processors.navigation)."""

from django.utils.translation import gettext_lazy as _

BACKOFFICE = [
    (5, _("Orientasi"), "onboarding:wizard"),
    (40, _("Wilayah"), "regions:manage"),
]
PLATFORM = [
    (20, _("Daftarkan daerah"), "onboarding:register"),
    (30, _("Pendaftaran (kementerian)"), "onboarding:ministry-list"),
]
