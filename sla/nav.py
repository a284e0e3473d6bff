from django.utils.translation import gettext_lazy as _

BACKOFFICE = [(30, _("SLA & kalender"), "sla:calendar")]
