"""The citizen's document vault moved to the `vault` app (public schema, docs/adr/0013): the
names kept here for callers of the former per-tenant vault."""

from __future__ import annotations

from typing import Any

from vault.models import Document
from vault.services import document_create, document_delete
from vault.uploads import (  # noqa: F401 - re-exported
    DOCUMENT_TYPES,
    KNOWN_OTHER,
    SIGNATURES,
    SNIFF_BYTES,
    Sniffed,
    check_upload,
    max_upload_bytes,
    sniff,
)


def vault_document_create(
    *, owner: Any, upload: Any, document_type: str, label: str = ""
) -> Document:
    """Store an upload in the citizen's vault (across regencies)."""
    return document_create(owner=owner, upload=upload, document_type=document_type, label=label)


def vault_document_delete(*, owner: Any, document_id: int) -> None:
    document_delete(owner=owner, document_id=document_id)
