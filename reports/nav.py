from django.utils.translation import gettext_lazy as _

BACKOFFICE = [(70, _("Laporan"), "reports:dashboard")]
