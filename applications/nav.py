from django.utils.translation import gettext_lazy as _

PORTAL = [
    (20, _("Permohonan saya"), "applications:mine"),
    (30, _("Lacak"), "applications:track"),
]
BACKOFFICE = [
    (10, _("Permohonan"), "applications:worklist"),
]
PLATFORM = [
    (10, _("Brankas dokumen"), "applications:vault"),  # the citizen's, across regencies
]
