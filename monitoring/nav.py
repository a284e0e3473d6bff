from django.utils.translation import gettext_lazy as _

PLATFORM = [(40, _("Konsol kementerian"), "monitoring:console")]
