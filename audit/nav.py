from django.utils.translation import gettext_lazy as _

BACKOFFICE = [(95, _("Log audit"), "audit:tenant-log")]
PLATFORM = [(45, _("Log audit"), "audit:platform-log")]
