from django.utils.translation import gettext_lazy as _

PORTAL = [(50, _("Pengaduan"), "feedback:complaint-new")]
BACKOFFICE = [(60, _("Pengaduan"), "feedback:complaints")]
