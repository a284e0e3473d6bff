from django.utils.translation import gettext_lazy as _

PORTAL = [(90, _("Akun saya"), "accounts:profile")]
PLATFORM = [(90, _("Akun saya"), "accounts:profile")]
