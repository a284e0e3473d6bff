"""Reads of the citizen's vault. Every selector takes the owner: a citizen sees only their own
documents, shares and access log (404, never a hint that another's row exists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import DocumentNotFound
from .models import Access, Document, Share

LOG_LIMIT = 200


def documents_of(*, user: Any) -> QuerySet[Document]:
    """The owner's documents still in the vault, newest first."""
    return Document.objects.filter(owner_id=user.pk, deleted_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def document_for_owner(*, user: Any, document_id: int) -> Document:
    document = Document.objects.filter(pk=document_id, owner_id=user.pk).first()
    if document is None:
        raise DocumentNotFound(_("Dokumen tidak ditemukan."))
    return document


def documents_by_id(*, owner_id: int, ids: Iterable[int], live_only: bool = True
                    ) -> dict[int, Document]:
    """{id: document} of the owner's documents among `ids` (one query)."""
    wanted = {int(i) for i in ids}
    if not wanted:
        return {}
    qs = Document.objects.filter(pk__in=wanted, owner_id=owner_id)
    if live_only:
        qs = qs.filter(deleted_at__isnull=True)
    return {d.pk: d for d in qs}


def consented_pairs(*, owner_id: int, tenant_id: int, document_ids: Iterable[int]
                    ) -> set[tuple[int, int]]:
    """(document id, OPD id) pairs of this regency the owner already consented to."""
    ids = {int(i) for i in document_ids}
    if not ids:
        return set()
    # order_by(): without it the model's ordering joins the DISTINCT, which then returns one
    # row per share ever recorded (one per application) instead of one per pair
    return set(
        Share.objects.filter(owner_id=owner_id, tenant_id=tenant_id, document_id__in=ids)
        .order_by().values_list("document_id", "agency_id").distinct()
    )


def shares_of(*, user: Any, document: Document | None = None) -> list[Share]:
    qs = Share.objects.filter(owner_id=user.pk)
    if document is not None:
        qs = qs.filter(document=document)
    return list(qs.select_related("document").order_by("-consented_at", "-id")[:LOG_LIMIT])


def access_log(*, user: Any, document: Document | None = None) -> list[Access]:
    """Who opened the owner's documents, in every regency, newest first (one query)."""
    qs = Access.objects.filter(owner_id=user.pk)
    if document is not None:
        qs = qs.filter(document=document)
    return list(
        qs.select_related("actor", "document").order_by("-accessed_at", "-id")[:LOG_LIMIT]
    )
