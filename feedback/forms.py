"""Forms of the feedback pages (parse input only; rules live in feedback.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .models import Complaint
from .questionnaire import UNSUR


class SkmForm(forms.Form):
    comment = forms.CharField(
        label=_("Saran dan masukan (opsional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        answers = {}
        for number, unsur in enumerate(UNSUR, start=1):
            answers[unsur.code] = forms.TypedChoiceField(
                label=f"{number}. {unsur.question}", choices=unsur.choices(), coerce=int,
                widget=forms.RadioSelect, help_text=unsur.name,
                error_messages={"required": _("Pilih salah satu jawaban.")},
            )
        self.fields = {**answers, **self.fields}


class ComplaintForm(forms.Form):
    subject = forms.ChoiceField(label=_("Pengaduan atas"), choices=Complaint.Subject.choices,
                                widget=forms.RadioSelect, initial=Complaint.Subject.SERVICE)
    reference = forms.CharField(
        label=_("Kode lacak permohonan / kode tiket antrean"), required=False, max_length=40,
        help_text=_("Isi bila pengaduan atas permohonan atau kunjungan loket."),
    )
    service_code = forms.ChoiceField(label=_("Layanan"), required=False)
    identity = forms.ChoiceField(
        label=_("Identitas pelapor"), choices=Complaint.Identity.choices,
        widget=forms.RadioSelect, initial=Complaint.Identity.OPEN,
        help_text=_("Rahasia: identitas hanya diketahui pengelola pengaduan. Anonim: identitas "
                    "tidak disimpan; simpan kode lacak untuk memantau (UU 25/2009 Pasal 40)."),
    )
    name = forms.CharField(label=_("Nama"), required=False, max_length=120)
    address = forms.CharField(label=_("Alamat"), required=False, max_length=250)
    contact = forms.CharField(label=_("Email atau nomor telepon"), required=False, max_length=120)
    title = forms.CharField(label=_("Judul pengaduan"), max_length=150)
    shortfall = forms.CharField(
        label=_("Ketidaksesuaian dengan standar pelayanan"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Apa yang terjadi dan apa yang seharusnya menurut standar pelayanan?"),
    )
    loss = forms.CharField(label=_("Kerugian yang dialami"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    remedy = forms.CharField(label=_("Penyelesaian yang diminta"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Tempat kejadian"), required=False, max_length=150)
    incident_date = forms.DateField(label=_("Tanggal kejadian"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, services: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [("", _("— pilih layanan —")), *services]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("verify", "respond", "close", "reject")])
    note = forms.CharField(label=_("Catatan / tindak lanjut"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    agency = forms.ModelChoiceField(label=_("OPD penanggung jawab"), required=False,
                                    queryset=Agency.objects.filter(is_active=True))


class SettingsForm(forms.Form):
    verify_days = forms.IntegerField(label=_("Verifikasi (hari kerja)"), min_value=1, max_value=60)
    respond_days = forms.IntegerField(label=_("Tindak lanjut (hari kerja)"), min_value=1, max_value=60)
    close_days = forms.IntegerField(label=_("Penutupan (hari kerja)"), min_value=1, max_value=60)
    auto_complaint_on_breach = forms.BooleanField(
        label=_("Buka pengaduan otomatis saat SLA permohonan terlewati"), required=False
    )
