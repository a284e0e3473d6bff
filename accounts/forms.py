from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import ratelimit
from .models import CitizenProfile, User
from .selectors import identifier_key

REQUIRED = {"required": _("Kolom ini wajib diisi.")}


def add_service_errors(form: forms.Form, exc: ValidationError,
                       mapping: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError (keyed by service field names) to a form."""
    mapping = mapping or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        field = mapping.get(key, key)
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Kata sandi"), strip=False, error_messages=REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Email/nomor ponsel atau kata sandi salah. Periksa kembali lalu coba lagi."
        ),
        "inactive": _("Akun ini dinonaktifkan."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: object, **kwargs: object):
        self.request = request
        self.user_cache: User | None = None
        self.rate_limited: ratelimit.RateLimited | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        identifier = cleaned.get("identifier")
        password = cleaned.get("password")
        if identifier and password:
            key = identifier_key(str(identifier))
            ip = ratelimit.client_ip(self.request)
            self._check_limit(key, ip)
            self.user_cache = authenticate(self.request, username=identifier, password=password)
            if self.user_cache is None:
                ratelimit.record_failure("login", identifier=key, ip=ip)
                self._check_limit(key, ip)
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid")
            ratelimit.reset("login", identifier=key, ip=ip)
        return cleaned

    def _check_limit(self, key: str, ip: str) -> None:
        try:
            ratelimit.check("login", identifier=key, ip=ip)
        except ratelimit.RateLimited as exc:
            self.rate_limited = exc
            raise forms.ValidationError(exc.message, code="rate_limited") from None

    def get_user(self) -> User | None:
        return self.user_cache


class _NewPasswordMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Kata sandi"), strip=False, error_messages=REQUIRED,
        help_text=_("Minimal 8 karakter; jangan hanya angka atau kata sandi yang umum."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"), strip=False, error_messages=REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )

    def clean_password2(self) -> str:
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise forms.ValidationError(_("Kedua kata sandi tidak sama."), code="mismatch")
        return second or ""


class RegistrationForm(_NewPasswordMixin):
    full_name = forms.CharField(
        label=_("Nama lengkap"), max_length=150, error_messages=REQUIRED,
        help_text=_("Sesuai KTP."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True}),
    )
    contact = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150, error_messages=REQUIRED,
        help_text=_("Kami kirim kode verifikasi 6 digit ke sini."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    field_order = ["full_name", "contact", "password1", "password2"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode 6 digit"), max_length=12, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "pattern": "[0-9 ]*",
        }),
    )


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class PasswordResetConfirmForm(_NewPasswordMixin):
    identifier = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Kode 6 digit"), max_length=12, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["identifier", "code", "password1", "password2"]


class LoginCodeForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Kode 6 digit"), max_length=12, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
        }),
    )


SEX_CHOICES = [("", _("— Pilih —")), *CitizenProfile.Sex.choices]


class ProfileForm(forms.Form):
    """The citizen's data. On a tenant host the kecamatan/desa are chosen from the tenant's
    own active regions; on the platform host Kemendagri codes are typed."""

    full_name = forms.CharField(
        label=_("Nama lengkap"), max_length=150, error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK"), max_length=24, required=False,
        help_text=_("16 digit sesuai KTP/KK."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    birth_place = forms.CharField(
        label=_("Tempat lahir"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Tanggal lahir"), required=False,
        error_messages={"invalid": _("Tanggal lahir tidak valid.")},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(
        label=_("Jenis kelamin"), choices=SEX_CHOICES, required=False,
        widget=forms.Select(attrs={"autocomplete": "sex"}),
    )
    address = forms.CharField(
        label=_("Alamat (jalan, nomor, RT/RW)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=_("Nomor ponsel"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Email"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, tenant: Any = None, profile: CitizenProfile | None = None,
                 villages_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.profile = profile
        self.stored_nik = profile.nik if profile and profile.nik else ""
        if self.stored_nik:
            self.fields["nik"].help_text = _(
                "Tersimpan: %(masked)s. Kosongkan jika tidak ingin mengubah."
            ) % {"masked": profile.masked_nik}
        if tenant is not None:
            self._tenant_region_fields(villages_url)
        else:
            self._national_region_fields()

    # -- regions ---------------------------------------------------------------------------
    def _tenant_region_fields(self, villages_url: str) -> None:
        from regions.models import District

        districts = list(District.objects.filter(is_active=True).order_by("name"))
        self.tenant_district_codes = {d.code for d in districts}
        # Plain text fields rendered as <select>: the service says exactly what is wrong with a
        # kecamatan/desa that is not (or no longer) offered.
        self.fields["district_code"] = forms.CharField(
            label=_("Kecamatan"), required=False, max_length=16,
            widget=forms.Select(
                choices=[("", _("— Pilih kecamatan —")), *[(d.code, d.name) for d in districts]],
                attrs={
                    "hx-get": villages_url, "hx-target": "#village-field", "hx-swap": "outerHTML",
                    "hx-trigger": "change", "autocomplete": "off",
                },
            ),
        )
        district = self["district_code"].value() if self.is_bound else self.initial.get(
            "district_code"
        )
        self.fields["village_code"] = forms.CharField(
            label=_("Desa/kelurahan"), required=False, max_length=16,
            widget=forms.Select(choices=village_choices(district or ""),
                                attrs={"autocomplete": "off"}),
        )

    def _national_region_fields(self) -> None:
        examples = {"province_code": "32", "regency_code": "32.73", "district_code": "32.73.01",
                    "village_code": "32.73.01.1001"}
        labels = {"province_code": _("Kode provinsi"), "regency_code": _("Kode kabupaten/kota"),
                  "district_code": _("Kode kecamatan"), "village_code": _("Kode desa/kelurahan")}
        for name, label in labels.items():
            self.fields[name] = forms.CharField(
                label=label, max_length=16, required=False,
                help_text=_("Kode Kemendagri, mis. %(example)s.") % {"example": examples[name]},
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "decimal"}),
            )

    def changes(self) -> dict[str, Any]:
        """The service's `changes` dict from the cleaned data."""
        data = dict(self.cleaned_data)
        if not (data.get("nik") or "").strip():
            data.pop("nik", None)  # keep the stored NIK
        if self.tenant is not None:
            stored = self.profile.district_code if self.profile else ""
            outside = stored and stored not in self.tenant_district_codes
            if outside and not data.get("district_code") and not data.get("village_code"):
                data.pop("district_code", None)  # keep an address outside this tenant
                data.pop("village_code", None)
        return data


def village_choices(district_code: str) -> list[tuple[str, str]]:
    from regions.models import Village

    if not district_code:
        return [("", _("— Pilih kecamatan dahulu —"))]
    villages = Village.objects.filter(district__code=district_code, is_active=True,
                                      district__is_active=True).order_by("name")
    return [("", _("— Pilih desa/kelurahan —")), *[(v.code, v.name) for v in villages]]
