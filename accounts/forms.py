from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Email atau nomor ponsel"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Kata sandi"), strip=False,
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
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        identifier = cleaned.get("identifier")
        password = cleaned.get("password")
        if identifier and password:
            self.user_cache = authenticate(self.request, username=identifier, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid")
        return cleaned

    def get_user(self) -> User | None:
        return self.user_cache
