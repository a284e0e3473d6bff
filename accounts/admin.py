"""Django admin (platform operators only). NIKs are never shown in full here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CitizenProfile, IdentityLink, OneTimeCode, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "email_verified_at", "phone_verified_at",
                    "ministry_role", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "ministry_role")
    search_fields = ("full_name", "email", "phone")
    exclude = ("password", "groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "masked_nik", "birth_date", "sex", "regency_code", "updated_at")
    search_fields = ("user__full_name", "user__email", "user__phone", "=nik")
    exclude = ("nik",)
    readonly_fields = ("masked_nik", "created_at", "updated_at")
    raw_id_fields = ("user",)

    @admin.display(description=_("NIK"))
    def masked_nik(self, obj: CitizenProfile) -> str:
        return obj.masked_nik or "-"


@admin.register(IdentityLink)
class IdentityLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "created_at", "last_login_at")
    search_fields = ("user__email", "user__phone", "subject")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "last_login_at")


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    list_display = ("user", "purpose", "channel", "created_at", "expires_at", "attempts",
                    "sent_at", "used_at", "revoked_at")
    list_filter = ("purpose", "channel")
    fields = ("user", "purpose", "channel", "destination", "attempts", "created_at",
              "expires_at", "sent_at", "used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
