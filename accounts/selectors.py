"""Reads about accounts and citizen profiles (public schema). Other apps call these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .models import CitizenProfile, IdentityLink, User
from .phone import normalize_phone


def identifier_key(identifier: str) -> str:
    """Canonical form of a login identifier: lower-cased email or 62… phone digits."""
    value = (identifier or "").strip()
    if "@" in value:
        return value.lower()
    return normalize_phone(value) or value.lower()


def user_by_identifier(identifier: str) -> User | None:
    value = (identifier or "").strip()
    if not value:
        return None
    if "@" in value:
        return User.objects.filter(email__iexact=value).first()
    phone = normalize_phone(value)
    return User.objects.filter(phone=phone).first() if phone else None


def contact_in_use(*, email: str | None = None, phone: str | None = None,
                   exclude_user_id: int | None = None) -> bool:
    query = Q()
    if email:
        query |= Q(email__iexact=email)
    if phone:
        query |= Q(phone=phone)
    if not query:
        return False
    return User.objects.filter(query).exclude(pk=exclude_user_id).exists()


def user_is_verified(user: Any) -> bool:
    """True when the account has at least one verified contact (email or phone).
    The applications app requires this before a citizen may apply."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.email_verified_at or user.phone_verified_at)


def unverified_contacts(user: User) -> list[str]:
    """Channels ("email", "phone") the account has but has not verified yet."""
    channels = []
    if user.email and not user.email_verified_at:
        channels.append("email")
    if user.phone and not user.phone_verified_at:
        channels.append("phone")
    return channels


def profile_for(user: User) -> CitizenProfile | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return CitizenProfile.objects.filter(user_id=user.pk).first()


def profile_prefill_values(user: User) -> dict[str, Any]:
    """Values for prefilling application forms: nik, full_name, birth_place, birth_date
    (a date), sex ("L"/"P"), address, district_code, village_code, phone, email.
    Empty values are omitted. The NIK here is NOT masked: never log or display it as is."""
    profile = profile_for(user)
    values: dict[str, Any] = {
        "full_name": user.full_name,
        "phone": user.phone,
        "email": user.email,
    }
    if profile is not None:
        values.update(
            nik=profile.nik,
            birth_place=profile.birth_place,
            birth_date=profile.birth_date,
            sex=profile.sex,
            address=profile.address,
            district_code=profile.district_code,
            village_code=profile.village_code,
        )
    return {key: value for key, value in values.items() if value not in (None, "")}


def identity_link_for(*, provider: str, subject: str) -> IdentityLink | None:
    return (
        IdentityLink.objects.select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )


def identity_links_of(user: User) -> list[IdentityLink]:
    return list(IdentityLink.objects.filter(user=user).order_by("provider"))
