from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cari layanan"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("mis. KTP, akta, SIP")}),
    )
    category = forms.ChoiceField(
        label=_("Kategori"), required=False,
        choices=[("", _("Semua kategori")), *Category.Code.choices],
    )
