"""Identity numbers on staff pages: masked by default, revealed on purpose, and logged.

A NIK or family-card (KK) number is personal data (UU 27/2022 Pasal 4: data pribadi umum —
nomor induk kependudukan — combined with a name identifies a person). Staff verifying an
application rarely need all 16 digits, so the staff page shows `3273********0003`; an officer
who may act on the application can press "Tampilkan", which writes a `DocumentAccess` row
(`field` = the form field) that the citizen sees on their application page, next to the
document access log of the vault.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from accounts.nik import mask_nik

from .models import Application, DocumentAccess

# Form fields holding a family-card number (the seed has no field type for it).
_KK_NAME = re.compile(r"^(nomor|no)_kk(_|$)")


def identity_fields(fields: list[dict[str, Any]]) -> set[str]:
    """The names of the form fields that hold a NIK or a KK number."""
    return {
        f["name"] for f in fields
        if f.get("type") == "nik" or _KK_NAME.match(str(f.get("name") or ""))
    }


def masked(value: Any) -> str:
    text = str(value or "")
    if not text:
        return "—"
    return mask_nik(text) if len(text) >= 8 else "*" * len(text)


@transaction.atomic
def identity_field_reveal(*, application: Application, field: str, actor: Any) -> str:
    """The full value of `field` for `actor`, logged for the citizen. The caller has checked
    that the actor may act on the application and that `field` is an identity field."""
    DocumentAccess.objects.create(
        document=None, application=application, field=field, actor_id=actor.pk
    )
    return str((application.form_data or {}).get(field) or "")


def identity_reveals(
    *, application: Application, labels: dict[str, str] | None = None
) -> list[DocumentAccess]:
    """Who revealed which identity number of this application, newest first; each row gets
    `field_label` (the form's label for the field)."""
    rows = list(
        DocumentAccess.objects.filter(application=application, document__isnull=True)
        .exclude(field="").select_related("actor").order_by("-accessed_at")[:200]
    )
    for row in rows:
        row.field_label = (labels or {}).get(row.field, row.field)
    return rows
