"""API tokens of the ministry and national systems (public schema, platform host only).

The secret (`mpp_<prefix>_<random>`) is shown once when the token is created; only its
sha256 is stored. `key_prefix` (8 characters, also part of the secret) identifies a token in
lists and logs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_RATE_PER_MINUTE = 120
MAX_RATE_PER_MINUTE = 100_000


class Scope(models.TextChoices):
    MONITORING_READ = "monitoring:read", _("Baca data pemantauan (monitoring)")
    CATALOG_READ = "catalog:read", _("Baca katalog layanan nasional")
    OPEN_DATA_READ = "open_data:read", _("Baca data terbuka")


class ApiToken(models.Model):
    name = models.CharField(_("nama"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="api_tokens", verbose_name=_("pemilik"),
        help_text=_("Opsional. Permintaan dengan token ini berjalan sebagai pengguna ini; "
                    "tanpa pemilik sebagai sistem (bukan orang)."),
    )
    key_prefix = models.CharField(_("awalan kunci"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(_("sha256 kunci"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("cakupan"), default=list)
    rate_per_minute = models.PositiveIntegerField(
        _("batas permintaan per menit"), default=DEFAULT_RATE_PER_MINUTE,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATE_PER_MINUTE)],
    )
    expires_at = models.DateTimeField(_("kedaluwarsa pada"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("dicabut oleh"),
    )
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True,
                                        editable=False)
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False, verbose_name=_("dibuat oleh"),
    )

    class Meta:
        verbose_name = _("token API nasional")
        verbose_name_plural = _("token API nasional")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_per_minute__gte=1),
                                   name="api_token_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"mpp_{self.key_prefix}_…"

    def clean(self) -> None:
        scopes = self.scopes
        if not isinstance(scopes, list) or not scopes:
            raise ValidationError({"scopes": _("Pilih paling sedikit satu cakupan.")})
        unknown = sorted({str(s) for s in scopes} - set(Scope.values))
        if unknown:
            raise ValidationError({"scopes": _("Cakupan tidak dikenal: %(scopes)s")
                                   % {"scopes": ", ".join(unknown)}})
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("Waktu kedaluwarsa harus di masa depan.")})

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:  # type: ignore[no-untyped-def]
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def status(self) -> str:
        if self.is_revoked():
            return "revoked"
        if self.is_expired():
            return "expired"
        return "active"
