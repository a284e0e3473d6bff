"""Integrations with OPD systems (tenant schema).

Tables per tenant (kept lean: every one is multiplied by 514 schemas, see docs/adr/0004):

* :class:`SigningKey` - the tenant's OpenID Connect signing keys (current, previous).
* :class:`StatusEvent` - status reports pushed by OPD systems, unique per (client, event id).
* :class:`WebhookEndpoint` / :class:`WebhookDelivery` - outbound webhooks and their log.
* OIDC provider tables (`integrations.oidc_models`, django-oauth-toolkit's swapped models):
  OidcClient, AccessToken, RefreshToken, Grant, IDToken.

Users live in the public schema: user references are `db_constraint=False` foreign keys.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An RSA key that signs ID tokens. Exactly one `current`; the `previous` one stays in the
    JWKS so tokens signed before a rotation still verify; `retired` keys are not published."""

    class State(models.TextChoices):
        CURRENT = "current", _("Aktif")
        PREVIOUS = "previous", _("Sebelumnya (masih dipublikasikan)")
        RETIRED = "retired", _("Pensiun")

    kid = models.CharField(max_length=64, unique=True)
    private_key_sealed = models.TextField()
    public_jwk = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.CURRENT)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kunci penandatangan OIDC")
        verbose_name_plural = _("kunci penandatangan OIDC")
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="current"), name="signingkey_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.state})"


class StatusEvent(models.Model):
    """A status report from an OPD system, applied at most once: `(client_id, event_id)` is
    unique, a replay returns the stored outcome."""

    client_id = models.CharField(max_length=255)
    event_id = models.CharField(max_length=100)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    payload_sha256 = models.CharField(max_length=64)
    requested_status = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actions = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    external_reference = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("laporan status OPD")
        verbose_name_plural = _("laporan status OPD")
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "event_id"], name="statusevent_unique_client_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.event_id}"


class WebhookEndpoint(models.Model):
    """An URL of an OPD or partner system that receives signed events of this tenant."""

    name = models.CharField(_("nama"), max_length=150)
    url = models.URLField(_("URL penerima"), max_length=500)
    events = models.JSONField(_("peristiwa"), default=list)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+", verbose_name=_("hanya peristiwa OPD"),
    )
    secret_sealed = models.TextField()
    is_active = models.BooleanField(_("aktif"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one endpoint. `attempts_log` keeps every try (status, excerpt of the
    body, duration); retries back off exponentially up to conf.WEBHOOK_MAX_ATTEMPTS."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RETRYING = "retrying", _("Dicoba ulang")
        SUCCEEDED = "succeeded", _("Terkirim")
        FAILED = "failed", _("Gagal")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=50)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    attempts_log = models.JSONField(default=list, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response_excerpt = models.TextField(blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    redelivery_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pengiriman webhook")
        verbose_name_plural = _("pengiriman webhook")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="whdelivery_endpoint_idx"),
            models.Index(
                fields=["next_attempt_at"], name="whdelivery_due_idx",
                condition=Q(state__in=["pending", "retrying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"


from .oidc_models import (  # noqa: E402, F401 - the toolkit's swapped models live here
    AccessToken,
    DeviceGrant,
    Grant,
    IDToken,
    OidcClient,
    RefreshToken,
)
