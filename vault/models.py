"""The citizen's document vault, across every regency (public schema, docs/adr/0013).

* :class:`Document` - a document the citizen uploaded once (KTP, KK, STR, ijazah …), on any
  regency's host. The file lives in the vault storage (`vault.storage`), never in a tenant's
  folder. No tenant table references it: a tenant holds its own copy
  (`applications.AttachedDocument`) of the documents the citizen attached to an application
  there, with consent.
* :class:`Share` - the consent record: which document went to which OPD of which regency,
  for which application, when. What the citizen sees as "dibagikan kepada".
* :class:`Access` - every time staff opened one of the citizen's documents, in any regency:
  the one log the citizen sees on their vault page. (Each tenant keeps its own log too,
  `applications.DocumentAccess`.)

Public rows never point at tenant rows with a foreign key: application and OPD ids are plain
integers, with the names copied in (they stay readable when a regency is removed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import vault_storage


def document_upload_to(instance: Document, filename: str) -> str:
    """`<random token>.<ext>`: never the citizen's file name or id (non-guessable)."""
    return f"{instance.storage_token}.{instance.extension}"


class Document(models.Model):
    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_documents",
        verbose_name=_("pemilik"),
    )
    document_type = models.CharField(_("jenis dokumen"), max_length=40)
    label = models.CharField(_("nama dokumen"), max_length=150)
    original_name = models.CharField(_("nama berkas asli"), max_length=200, blank=True)
    storage_token = models.CharField(max_length=64, unique=True)
    extension = models.CharField(max_length=5)
    file = models.FileField(storage=vault_storage, upload_to=document_upload_to, max_length=200,
                            blank=True)
    content_type = models.CharField(max_length=20, choices=ContentType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Deleted by the citizen: the file is gone, the row stays for the share and access log.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dokumen brankas")
        verbose_name_plural = _("dokumen brankas")
        indexes = [models.Index(fields=["owner", "document_type"], name="vaultdoc_owner_type_idx")]

    def __str__(self) -> str:
        return self.label


class Share(models.Model):
    """One document given to one OPD of one regency for one application, with the
    citizen's consent (the consent screen of the application form)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.SET_NULL, null=True,
                               related_name="+")
    tenant_name = models.CharField(_("daerah"), max_length=200)
    agency_id = models.IntegerField()
    agency_name = models.CharField(_("OPD"), max_length=200)
    application_id = models.IntegerField()
    tracking_code = models.CharField(_("kode lacak"), max_length=40, blank=True)
    requirement_code = models.CharField(max_length=60)
    consented_at = models.DateTimeField(_("disetujui pada"))

    class Meta:
        ordering = ["-consented_at", "-id"]
        verbose_name = _("dokumen dibagikan")
        verbose_name_plural = _("dokumen dibagikan")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "tenant", "application_id", "agency_id"],
                name="vault_share_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "tenant", "document"], name="vault_share_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.agency_name} ({self.tenant_name})"


class Access(models.Model):
    """Staff of a regency opened one of the citizen's documents (the copy attached there)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.SET_NULL, null=True,
                               related_name="+")
    tenant_name = models.CharField(_("daerah"), max_length=200)
    agency_name = models.CharField(_("OPD"), max_length=200, blank=True)
    application_id = models.IntegerField()
    tracking_code = models.CharField(_("kode lacak"), max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("petugas"))
    accessed_at = models.DateTimeField(_("waktu"))

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("akses dokumen")
        verbose_name_plural = _("akses dokumen")
        indexes = [models.Index(fields=["owner", "-accessed_at"], name="vault_access_owner_idx")]

    def __str__(self) -> str:
        return f"{self.document_id} by {self.actor_id} in {self.tenant_name}"
