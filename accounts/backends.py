from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User
from .phone import normalize_phone


class EmailOrPhoneBackend(ModelBackend):
    """Log in with an email address or an Indonesian mobile number."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None,
        password: str | None = None, **kwargs: object,
    ) -> User | None:
        identifier = (username or kwargs.get("email") or "").strip()
        if not identifier or password is None:
            return None
        if "@" in identifier:
            user = User.objects.filter(email__iexact=identifier).first()
        else:
            phone = normalize_phone(identifier)
            user = User.objects.filter(phone=phone).first() if phone else None
        if user is None:
            User().set_password(password)  # equalise timing with the found case
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
