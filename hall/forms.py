"""Forms of the hall pages (parse input only; rules live in hall.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .models import Counter, Ticket


class CounterForm(forms.Form):
    code = forms.SlugField(label=_("Kode loket"), max_length=20, help_text=_("Mis. loket-1"))
    name = forms.CharField(label=_("Nama loket"), max_length=100)
    agency = forms.ModelChoiceField(
        label=_("OPD"), queryset=Agency.objects.filter(is_active=True), required=False
    )
    services = forms.CharField(
        label=_("Kode layanan"), required=False,
        help_text=_("Pisahkan dengan koma, mis. ADM-KTP, ADM-KK."),
    )
    slot_minutes = forms.IntegerField(label=_("Durasi slot (menit)"), min_value=5, max_value=240, initial=30)
    capacity_per_slot = forms.IntegerField(label=_("Kapasitas per slot"), min_value=0, max_value=500, initial=4)
    max_recalls = forms.IntegerField(
        label=_("Panggilan ulang sebelum tidak hadir"), min_value=0, max_value=10, initial=3
    )
    is_active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)

    @classmethod
    def for_counter(cls, counter: Counter) -> CounterForm:
        return cls(initial={
            "code": counter.code, "name": counter.name, "agency": counter.agency_id,
            "services": ", ".join(counter.services or []), "slot_minutes": counter.slot_minutes,
            "capacity_per_slot": counter.capacity_per_slot, "max_recalls": counter.max_recalls,
            "is_active": counter.is_active,
        })


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Kode reservasi"), max_length=12,
        help_text=_("Ketik kode atau pindai kode QR pada bukti reservasi."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    priority = forms.ChoiceField(label=_("Jalur prioritas"), choices=Ticket.Priority.choices, required=False)


class WalkInForm(forms.Form):
    service_code = forms.ChoiceField(label=_("Layanan"))
    priority = forms.ChoiceField(label=_("Jalur prioritas"), choices=Ticket.Priority.choices, required=False)
    name = forms.CharField(label=_("Nama (opsional)"), max_length=120, required=False)

    def __init__(self, *args, services: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = services


class LinkApplicationForm(forms.Form):
    tracking_code = forms.CharField(label=_("Kode lacak permohonan"), max_length=40)
