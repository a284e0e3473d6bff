"""Forms of onboarding: shape checks only; the rules live in onboarding.services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, StaffRole

from .errors import UnknownRegency
from .services import TIMEZONES, regency_for_code


class RegistrationForm(forms.Form):
    regency_query = forms.CharField(
        label=_("Cari kabupaten/kota"), required=False, max_length=60,
        help_text=_("Ketik sebagian nama, mis. \"boyolali\", lalu pilih dari daftar Kemendagri."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    region_code = forms.CharField(
        label=_("Kabupaten/kota"), max_length=13,
        error_messages={"required": _("Pilih kabupaten/kota dari daftar hasil pencarian.")},
        widget=forms.HiddenInput,
    )
    officer_name = forms.CharField(label=_("Nama petugas"), max_length=150)
    officer_position = forms.CharField(label=_("Jabatan"), max_length=150)
    officer_email = forms.EmailField(
        label=_("Email dinas"), help_text=_("Tautan verifikasi dikirim ke alamat ini."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    officer_phone = forms.RegexField(
        label=_("Nomor telepon"), regex=r"^\+?[0-9 ()-]{8,20}$", max_length=20,
        error_messages={"invalid": _("Nomor telepon hanya angka (8–20 digit), boleh diawali +.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    letter = forms.FileField(
        label=_("Surat penunjukan (PDF, maks. 5 MB)"),
        help_text=_("Bila formulir ditolak, pilih ulang berkasnya."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter, tidak hanya angka."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"]
        try:
            return regency_for_code(code).code
        except UnknownRegency as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            try:
                validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penolakan"), min_length=5, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tuliskan alasan penolakan."),
                        "min_length": _("Alasan terlalu singkat (minimal 5 karakter).")},
    )


class ProfileForm(forms.Form):
    address = forms.CharField(
        label=_("Alamat kantor MPP"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_email = forms.EmailField(label=_("Email kontak"))
    contact_phone = forms.RegexField(
        label=_("Telepon kontak"), regex=r"^\+?[0-9 ()-]{6,20}$", max_length=20,
        error_messages={"invalid": _("Nomor telepon hanya angka (6–20 digit), boleh diawali +.")},
    )
    timezone = forms.ChoiceField(
        label=_("Zona waktu"),
        choices=[("Asia/Jakarta", "WIB (Asia/Jakarta)"), ("Asia/Makassar", "WITA (Asia/Makassar)"),
                 ("Asia/Jayapura", "WIT (Asia/Jayapura)")],
    )
    logo = forms.FileField(
        label=_("Logo (PNG/JPEG, maks. 1 MB)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"]
        if value not in TIMEZONES:
            raise forms.ValidationError(_("Zona waktu tidak dikenal."))
        return value


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Nama OPD"), max_length=150)
    short_name = forms.CharField(label=_("Singkatan"), max_length=40, required=False)


class CounterForm(forms.Form):
    code = forms.SlugField(
        label=_("Kode loket"), max_length=20,
        help_text=_("Huruf kecil, angka, dan tanda hubung, mis. loket-1."),
    )
    name = forms.CharField(label=_("Nama loket"), max_length=100)
    agency = forms.ModelChoiceField(
        label=_("OPD"), queryset=Agency.objects.none(), required=False,
        empty_label=_("— semua OPD —"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email staf"))
    role = forms.ChoiceField(label=_("Peran"), choices=StaffRole.Role.choices)
    agency = forms.ModelChoiceField(
        label=_("OPD"), queryset=Agency.objects.none(), required=False,
        empty_label=_("— pilih OPD (wajib kecuali admin tenant) —"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class AcceptNewAccountForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    password1 = forms.CharField(
        label=_("Kata sandi"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif p1:
            try:
                validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
