from django.utils.translation import gettext_lazy as _

PORTAL = [(40, _("Antrean"), "hall:book")]
BACKOFFICE = [(50, _("Loket"), "hall:counters")]
