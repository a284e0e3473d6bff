"""Django admin (platform operators only). NIKs are never shown in full here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .erasure import account_erasure_request, erasure_progress
from .models import AccountErasureRequest, CitizenProfile, IdentityLink, OneTimeCode, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "phone", "email_verified_at", "phone_verified_at",
                    "ministry_role", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "ministry_role")
    search_fields = ("full_name", "email", "phone")
    exclude = ("password", "groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")

    # Deleting a user is account erasure (accounts.erasure, docs/adr/0006): the person is
    # removed or pseudonymised in every tenant schema by a background job, never by a raw
    # delete (tenant tables are not on the platform's search_path).

    def get_deleted_objects(self, objs, request):  # type: ignore[no-untyped-def]
        lines = [
            _("%(user)s: akun dinonaktifkan; data pribadi dihapus atau dipseudonimkan di semua "
              "tenant (penghapusan akun, berjalan di latar belakang)") % {"user": obj}
            for obj in objs
        ]
        return lines, {}, set(), []

    def delete_model(self, request, obj: User) -> None:
        account_erasure_request(user=obj, actor=request.user, reason="admin")

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset.order_by("pk"):
            account_erasure_request(user=user, actor=request.user, reason="admin")

    def response_delete(self, request, obj_display, obj_id):  # type: ignore[no-untyped-def]
        self.message_user(
            request, _("Penghapusan akun %(user)s dicatat dan berjalan di latar belakang.")
            % {"user": obj_display}, messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))

    def get_actions(self, request):  # type: ignore[no-untyped-def]
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                type(self).erase_selected, "delete_selected",
                _("Hapus akun terpilih (penghapusan data pribadi)"),
            )
        return actions

    def erase_selected(self, request, queryset):  # type: ignore[no-untyped-def]
        """The bulk delete: Django's confirmation page, then the erasure service."""
        if not request.POST.get("post"):
            return delete_selected(self, request, queryset)
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(request, ngettext(
            "Penghapusan %(count)d akun dicatat dan berjalan di latar belakang.",
            "Penghapusan %(count)d akun dicatat dan berjalan di latar belakang.", count,
        ) % {"count": count}, messages.SUCCESS)
        return None


@admin.register(AccountErasureRequest)
class AccountErasureRequestAdmin(admin.ModelAdmin):
    list_display = ("pseudonym", "user_id", "state", "progress_display", "requested_by_label",
                    "requested_at", "finished_at")
    list_filter = ("state",)
    search_fields = ("=pseudonym", "=user__id")
    fields = ("pseudonym", "user_id", "state", "progress_display", "requested_by_label",
              "reason", "requested_at", "started_at", "finished_at", "last_error", "progress")
    readonly_fields = fields
    actions = ("rerun",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("kemajuan"))
    def progress_display(self, obj: AccountErasureRequest) -> str:
        progress = erasure_progress(obj)
        return _("%(done)d dari %(total)d tenant%(public)s") % {
            "done": progress["tenants_done"], "total": progress["tenants_total"],
            "public": _(", akun publik selesai") if progress["public_done"] else "",
        }

    @admin.action(description=_("Jalankan ulang penghapusan yang belum selesai"))
    def rerun(self, request, queryset) -> None:
        from core.tasks_dispatch import enqueue_on_commit

        from .tasks import account_erasure_task

        pending = queryset.exclude(state=AccountErasureRequest.State.DONE)
        for erasure in pending:
            enqueue_on_commit(account_erasure_task, erasure.pk)
        self.message_user(request, _("%(count)d permintaan dijalankan ulang.")
                          % {"count": len(pending)}, messages.SUCCESS)


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
