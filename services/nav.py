from django.utils.translation import gettext_lazy as _

PORTAL = [(10, _("Layanan"), "services:directory")]
BACKOFFICE = [(20, _("Layanan"), "services:manage"), (25, _("Pengumuman"), "services:announcements")]
