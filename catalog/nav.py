from django.utils.translation import gettext_lazy as _

PLATFORM = [(10, _("Katalog layanan"), "catalog:list")]
