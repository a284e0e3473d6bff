"""The one audit log of the platform (public schema, docs/adr/0007).

One row per security-relevant write: who (user and/or label), what (action, target, a small
diff), when, from which address, and in which tenant. Tenant rows and public rows live in the
same table; tenant admins read their tenant's rows, the ministry reads all of them. No foreign
key to the tenant (rows outlive a deleted tenant) and none into tenant schemas."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", _("berhasil")
        NOOP = "noop", _("tanpa perubahan")
        REFUSED = "refused", _("ditolak")

    at = models.DateTimeField(_("waktu"), default=timezone.now)
    # "" = the platform itself (public schema): API tokens, ministry actions without a tenant.
    tenant_schema = models.CharField(_("tenant"), max_length=63, blank=True, default="")
    tenant_id = models.BigIntegerField(null=True, blank=True)
    # The user row stays on account erasure (a pseudonymised tombstone, ADR 0006), so the
    # name shown is the pseudonym afterwards; the label never holds a name or a contact.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("pelaku"), max_length=100)
    action = models.CharField(_("tindakan"), max_length=64)
    target_type = models.CharField(_("jenis objek"), max_length=64, blank=True, default="")
    target_id = models.CharField(_("id objek"), max_length=64, blank=True, default="")
    target_repr = models.CharField(_("objek"), max_length=200, blank=True, default="")
    changes = models.JSONField(_("perubahan"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("log audit")
        indexes = [
            models.Index(fields=["tenant_schema", "-at"], name="audit_tenant_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
