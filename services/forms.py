"""Back-office forms of the services app (parsing only; rules live in services.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from catalog.models import ServiceVersion
from services.models import REQUIREMENT_KINDS, Offering

KIND_LABELS = {"document": _("Dokumen"), "data": _("Data isian"), "condition": _("Kondisi")}


class ServiceVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceVersion) -> str:
        return f"{obj.service.code} — {obj.name} (v{obj.number})"


def _agency_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("OPD pemilik"), queryset=Agency.objects.filter(is_active=True).order_by("name"),
        empty_label=_("— pilih OPD —"),
        error_messages={"required": _("Pilih OPD yang memiliki layanan ini.")},
    )


class AdoptForm(forms.Form):
    service_version = ServiceVersionChoiceField(
        label=_("Layanan dari katalog nasional"), queryset=ServiceVersion.objects.none(),
        empty_label=_("— pilih layanan —"),
        error_messages={"required": _("Pilih layanan yang akan diadopsi."),
                        "invalid_choice": _("Layanan itu tidak tersedia untuk diadopsi.")},
    )
    agency = forms.ModelChoiceField(queryset=Agency.objects.none())
    channel = forms.ChoiceField(
        label=_("Kanal permohonan"), choices=Offering.Channel.choices,
        initial=Offering.Channel.ONLINE, widget=forms.RadioSelect,
    )
    external_url = forms.URLField(
        label=_("Tautan aplikasi OPD"), required=False, max_length=300, assume_scheme="https",
        help_text=_("Wajib bila kanalnya aplikasi OPD, mis. https://sipdok.example.go.id"),
        error_messages={"invalid": _("Masukkan tautan lengkap, mis. https://contoh.go.id")},
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_version"].queryset = versions
        self.fields["agency"] = _agency_field()
        self.order_fields(["service_version", "agency", "channel", "external_url"])


class OfferingForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none())
    channel = forms.ChoiceField(
        label=_("Kanal permohonan"), choices=Offering.Channel.choices, widget=forms.RadioSelect
    )
    external_url = forms.URLField(
        label=_("Tautan aplikasi OPD"), required=False, max_length=300, assume_scheme="https",
        help_text=_("Wajib bila kanalnya aplikasi OPD."),
        error_messages={"invalid": _("Masukkan tautan lengkap, mis. https://contoh.go.id")},
    )
    local_fee_amount = forms.IntegerField(
        label=_("Biaya daerah (Rp)"), required=False, min_value=0,
        error_messages={"invalid": _("Masukkan angka rupiah tanpa titik, mis. 50000."),
                        "min_value": _("Biaya tidak boleh negatif.")},
    )
    local_fee_basis = forms.CharField(
        label=_("Dasar hukum biaya daerah"), required=False, max_length=300,
        help_text=_("Perda/Perkada yang menetapkan tarif, bila ada biaya."),
    )

    def __init__(self, *args: Any, fee_forbidden: bool = False, fee_basis: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"] = _agency_field()
        self.order_fields(["agency", "channel", "external_url", "local_fee_amount",
                           "local_fee_basis"])
        if fee_forbidden:
            self.fields["local_fee_amount"].help_text = _(
                "Layanan ini tidak boleh dipungut biaya (%(basis)s)."
            ) % {"basis": fee_basis or "UU 24/2013 Pasal 79A"}


class RequirementForm(forms.Form):
    label = forms.CharField(label=_("Nama persyaratan"), max_length=200)
    code = forms.SlugField(
        label=_("Kode"), max_length=50, required=False,
        help_text=_("Kosongkan untuk dibuat dari nama."),
    )
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=[(k, KIND_LABELS[k]) for k in REQUIREMENT_KINDS],
        initial="document",
    )
    required = forms.BooleanField(label=_("Wajib"), required=False, initial=True)
    justification = forms.CharField(
        label=_("Alasan / dasar hukum daerah"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Persyaratan tambahan tanpa alasan ditandai sebagai penyimpangan."),
    )

    def cleaned_item(self) -> dict[str, Any]:
        data = self.cleaned_data
        code = data.get("code") or slugify(data["label"]).replace("-", "_")[:50]
        if code and not code[0].isalpha():
            code = f"syarat_{code}"[:50]
        return {
            "code": code.lower(), "label": data["label"], "kind": data["kind"],
            "required": bool(data.get("required")), "justification": data.get("justification", ""),
        }


RequirementFormSet = forms.formset_factory(RequirementForm, extra=1, can_delete=True, max_num=30)


class AnnouncementForm(forms.Form):
    """A portal announcement (the rules live in services.services.announcement_*)."""

    title = forms.CharField(
        label=_("Judul"), max_length=140,
        error_messages={"required": _("Judul pengumuman wajib diisi.")},
    )
    body = forms.CharField(
        label=_("Isi"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Teks biasa, paling banyak 2.000 karakter."),
        error_messages={"required": _("Isi pengumuman wajib diisi.")},
    )
    link_url = forms.URLField(
        label=_("Tautan (opsional)"), required=False, max_length=300, assume_scheme="https",
        error_messages={"invalid": _("Masukkan tautan lengkap, mis. https://contoh.go.id")},
    )
    starts_on = forms.DateField(
        label=_("Tampil mulai"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Kosongkan untuk tampil segera."),
    )
    ends_on = forms.DateField(
        label=_("Tampil sampai"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Kosongkan bila tidak ada batas."),
    )
    is_published = forms.BooleanField(label=_("Tampilkan di beranda portal"), required=False)
