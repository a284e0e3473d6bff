"""National API tokens in the Django admin (platform operators).

"Tambah" creates a token through `api.services.api_token_create` and shows its secret once on
the next page (never stored, never shown again). Existing tokens are read-only; the action
"Cabut token terpilih" revokes them (tokens are not deleted: the list is the audit trail)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Scope
from .services import api_token_create, api_token_revoke


class ApiTokenAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("cakupan"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiToken
        fields = ["name", "owner", "scopes", "rate_per_minute", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "display_prefix", "scope_list", "rate_per_minute", "owner",
                    "status_label", "expires_at", "last_used_at", "created_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "key_prefix"]
    raw_id_fields = ["owner"]
    actions = ["revoke_selected"]
    fields = ["name", "owner", "scopes", "rate_per_minute", "expires_at"]
    readonly_fields_on_change = [
        "name", "display_prefix", "owner", "scope_list", "rate_per_minute", "expires_at",
        "status_label", "revoked_at", "revoked_by", "last_used_at", "created_at", "created_by",
    ]

    @admin.display(description=_("kunci"))
    def display_prefix(self, obj: ApiToken) -> str:
        return obj.display_prefix

    @admin.display(description=_("cakupan"))
    def scope_list(self, obj: ApiToken) -> str:
        return ", ".join(obj.scopes or [])

    @admin.display(description=_("status"))
    def status_label(self, obj: ApiToken) -> str:
        return {"active": gettext("aktif"), "revoked": gettext("dicabut"),
                "expired": gettext("kedaluwarsa")}[obj.status]

    def get_form(self, request: HttpRequest, obj: ApiToken | None = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return self.readonly_fields_on_change if obj is not None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        return self.readonly_fields_on_change if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        token, secret = api_token_create(
            name=data["name"], scopes=data["scopes"], rate_per_minute=data["rate_per_minute"],
            expires_at=data.get("expires_at"), owner=data.get("owner"), actor=request.user,
        )
        token._shown_once_secret = secret  # for response_add only; never stored
        return token

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:  # pragma: no cover - every field is read-only after creation
            super().save_model(request, obj, form, change)
        # on add, api_token_create has saved it

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:  # pragma: no cover
            super().save_related(request, form, formsets, change)

    def response_add(self, request: HttpRequest, obj: ApiToken,
                     post_url_continue: str | None = None) -> HttpResponse:
        secret = getattr(obj, "_shown_once_secret", None)
        if secret is None:  # pragma: no cover
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "token": obj, "secret": secret,
            "title": gettext("Token API dibuat"),
        }
        response = TemplateResponse(request, "admin/api/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Cabut token terpilih"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(
            request, gettext("%(count)d token dicabut.") % {"count": count}, messages.SUCCESS
        )
