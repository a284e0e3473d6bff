from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .conf import SCOPES, WEBHOOK_EVENTS


def _agency_choices() -> list[tuple[str, str]]:
    from agencies.models import Agency

    return [(a.code, str(a.name)) for a in Agency.objects.filter(is_active=True).order_by("name")]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").split() if line.strip()]


class OidcClientForm(forms.Form):
    name = forms.CharField(label=_("Nama aplikasi"), max_length=255)
    agency = forms.ChoiceField(label=_("OPD pemilik"))
    redirect_uris = forms.CharField(
        label=_("Redirect URI (satu per baris)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    initiate_login_uri = forms.URLField(label=_("URL mulai masuk (opsional)"), required=False,
                                         assume_scheme="https")
    allowed_scopes = forms.MultipleChoiceField(
        label=_("Data yang boleh diminta"), widget=forms.CheckboxSelectMultiple,
        choices=[(k, f"{k}: {v}") for k, v in SCOPES.items() if k != "openid"], required=False,
        help_text=_("NIK hanya bila ada dasar hukum dan perjanjian pemanfaatan data."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _agency_choices()

    def clean_redirect_uris(self) -> list[str]:
        uris = _lines(self.cleaned_data["redirect_uris"])
        if not uris:
            raise forms.ValidationError(_("Isi minimal satu redirect URI."))
        return uris


class OidcClientEditForm(OidcClientForm):
    is_active = forms.BooleanField(label=_("Aktif"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["agency"]


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Nama"), max_length=150)
    url = forms.URLField(label=_("URL penerima"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Peristiwa"), widget=forms.CheckboxSelectMultiple,
        choices=list(WEBHOOK_EVENTS.items()),
    )
    agency = forms.ChoiceField(label=_("Hanya peristiwa OPD (opsional)"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Semua OPD")), *_agency_choices()]
