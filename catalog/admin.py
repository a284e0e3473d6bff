"""Ministry editing of the national catalogue (Django admin, platform host, is_staff users).

Versions are created with the action "Buat draf versi baru", edited while they are drafts and
published with "Terbitkan draf". Published and retired versions are read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from .models import Category, Service, ServiceVersion
from .services import (
    service_version_create_draft,
    service_version_publish,
    service_version_update_draft,
)


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, done: list[str],
            failed: list[str]) -> None:
    if done:
        modeladmin.message_user(request, "; ".join(done), messages.SUCCESS)
    for message in failed:
        modeladmin.message_user(request, message, messages.ERROR)


def _create_drafts(modeladmin: admin.ModelAdmin, request: HttpRequest,
                   services: list[Service]) -> None:
    done, failed = [], []
    for service in services:
        try:
            draft = service_version_create_draft(service=service, actor=request.user)
        except ApplicationError as exc:
            failed.append(exc.message)
        else:
            done.append(gettext("Draf %(code)s versi %(number)d dibuat")
                        % {"code": service.code, "number": draft.number})
    _report(modeladmin, request, done, failed)


def _publish(modeladmin: admin.ModelAdmin, request: HttpRequest,
             versions: list[ServiceVersion]) -> None:
    done, failed = [], []
    for version in versions:
        try:
            service_version_publish(version=version, actor=request.user)
        except ApplicationError as exc:
            failed.append(exc.message)
            failed.extend(f"{version.service.code}: {e}" for e in exc.extra.get("errors", [])[1:])
        else:
            done.append(gettext("%(code)s versi %(number)d diterbitkan")
                        % {"code": version.service.code, "number": version.number})
    _report(modeladmin, request, done, failed)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "fee_forbidden", "order"]
    ordering = ["order"]


class ServiceVersionInline(admin.TabularInline):
    model = ServiceVersion
    fields = ["version_link", "status", "sla_value", "sla_unit", "fee_amount", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-number"]

    @admin.display(description=_("versi"))
    def version_link(self, obj: ServiceVersion) -> str:
        url = reverse("admin:catalog_serviceversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "name"]
    inlines = [ServiceVersionInline]
    actions = ["create_draft", "publish_draft"]

    def get_readonly_fields(self, request: HttpRequest, obj: Service | None = None):
        # The code is used in tracking numbers: never renamed. The name follows the versions.
        return ["code", "name"] if obj else []

    @admin.action(description=_("Buat draf versi baru"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        _create_drafts(self, request, list(queryset))

    @admin.action(description=_("Terbitkan draf"))
    def publish_draft(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        drafts = list(
            ServiceVersion.objects.filter(
                service__in=queryset, status=ServiceVersion.Status.DRAFT
            ).select_related("service")
        )
        if not drafts:
            self.message_user(request, gettext("Tidak ada draf untuk diterbitkan."),
                              messages.WARNING)
            return
        _publish(self, request, drafts)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ["service", "number", "status", "sla_display", "fee_amount", "published_at"]
    list_filter = ["status", "service__category"]
    search_fields = ["service__code", "name"]
    list_select_related = ["service"]
    actions = ["create_draft", "publish"]
    readonly_fields = ["service", "number", "status", "published_at", "published_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafts come from the "Buat draf versi baru" action

    def has_change_permission(self, request: HttpRequest, obj: ServiceVersion | None = None):
        if obj is not None and obj.is_frozen:
            return False  # published/retired: view only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ServiceVersion | None = None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceVersion | None = None):
        if obj is not None and obj.is_frozen:
            return [f.name for f in ServiceVersion._meta.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data
            if name in ServiceVersion.EDITABLE_FIELDS
        }
        try:
            service_version_update_draft(version=obj, actor=request.user, **fields)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ServiceVersion]) -> None:
        for version in queryset:
            if version.is_frozen:
                self.message_user(
                    request,
                    gettext("%(version)s sudah terbit dan tidak dapat dihapus.")
                    % {"version": version}, messages.ERROR,
                )
            else:
                version.delete()

    @admin.action(description=_("Buat draf versi baru"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[ServiceVersion]) -> None:
        services = {v.service_id: v.service for v in queryset.select_related("service")}
        _create_drafts(self, request, list(services.values()))

    @admin.action(description=_("Terbitkan"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ServiceVersion]) -> None:
        _publish(self, request, list(queryset.select_related("service")))
