from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services only."""

    list_display = ["at", "tenant_schema", "actor_label", "action", "target_type", "target_id",
                    "outcome", "ip"]
    list_filter = ["outcome", "tenant_schema"]
    search_fields = ["action", "actor_label", "target_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
