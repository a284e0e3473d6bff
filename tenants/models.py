"""Tenants: one per kabupaten/kota, each in its own PostgreSQL schema (public schema table)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A kabupaten/kota. The public schema is also a row (schema_name='public', no region)."""

    class Kind(models.TextChoices):
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")
        PLATFORM = "platform", _("Platform")

    class State(models.TextChoices):
        REGISTERED = "registered", _("Terdaftar")
        APPROVED = "approved", _("Disetujui")
        PROVISIONING = "provisioning", _("Sedang disiapkan")
        ONBOARDING = "onboarding", _("Orientasi")
        LIVE = "live", _("Aktif")
        SUSPENDED = "suspended", _("Ditangguhkan")
        FAILED = "failed", _("Gagal disiapkan")

    # States in which the tenant's portal answers requests (when is_ready is also true).
    ROUTABLE_STATES = (State.ONBOARDING, State.LIVE, State.SUSPENDED)

    region_code = models.CharField(
        _("kode wilayah"), max_length=5, unique=True, null=True, blank=True,
        help_text=_("Kode Kemendagri kab/kota, mis. 32.73"),
    )
    slug = models.SlugField(_("subdomain"), max_length=63, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    province_code = models.CharField(_("kode provinsi"), max_length=2, blank=True)
    timezone = models.CharField(_("zona waktu"), max_length=32, default="Asia/Jakarta")
    state = models.CharField(
        _("status"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    # Set only when the schema exists, is fully migrated and seeded. Routing, periodic
    # tasks and dashboards ignore tenants that are not ready.
    is_ready = models.BooleanField(_("siap"), default=False)
    # Provisioning progress shown to the registrant: queued → creating_schema → migrating →
    # seeding → ready (or failed, with the error kept for operators).
    provisioning_step = models.CharField(max_length=20, blank=True)
    provisioning_error = models.TextField(blank=True)
    # Fingerprint of the tenant migrations applied to this schema (see tenants.migration_state):
    # a deploy migrates only the schemas whose fingerprint differs from the code's.
    migrations_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = False  # provisioning happens in the background (tenants.services)
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["state", "is_ready"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return self.schema_name == "public"

    @property
    def is_routable(self) -> bool:
        return self.is_platform or (self.is_ready and self.state in self.ROUTABLE_STATES)


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")


class TenantHeartbeat(models.Model):
    """Written by the demo periodic task from inside each tenant's context.

    Proves beat → worker → tenant context end to end; also tells operators which tenants the
    worker reached last. Public table keyed by tenant (never referenced from tenant schemas).
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="heartbeat")
    schema_seen = models.CharField(max_length=63)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.schema_seen} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class SchemaRecipe(models.Model):
    """The DDL that the tenant migrations produce, recorded once per migrations fingerprint.

    New tenants replay it instead of running Django's migration machinery (most of whose cost
    is Python-side state building, repeated for every schema). See tenants.schema_recipe."""

    fingerprint = models.CharField(max_length=64, unique=True)
    statements = models.JSONField()
    applied_migrations = models.JSONField()
    table_count = models.PositiveIntegerField()
    # sha256 of the recorded schema's catalog shape (schema_recipe.schema_shape); every replay
    # is compared with it. Empty for recipes recorded before the check existed.
    shape_digest = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.fingerprint[:12]} ({len(self.statements)} statements)"
