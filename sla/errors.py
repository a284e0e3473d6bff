"""Business errors of the sla app (see core.errors for the API format)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from core.errors import ApplicationError


class InvalidInput(ApplicationError):
    """Field-specific validation errors: ``extra = {"fields": {field: [messages]}}``.

    Views add ``fields`` to the matching form fields; the API returns them as is."""

    code = "validation_error"

    def __init__(
        self, fields: Mapping[str, Sequence[str]], *, message: str | None = None,
        code: str | None = None, extra: Mapping[str, object] | None = None,
    ) -> None:
        self.fields = {key: [str(m) for m in msgs] for key, msgs in fields.items()}
        first = next((msgs[0] for msgs in self.fields.values() if msgs), None)
        super().__init__(
            message or first or _("Data yang dikirim tidak valid."),
            extra={**(extra or {}), "fields": self.fields}, code=code,
        )


class InvalidCalendar(InvalidInput):
    code = "invalid_calendar"


class InvalidPolicy(InvalidInput):
    code = "invalid_sla_policy"
