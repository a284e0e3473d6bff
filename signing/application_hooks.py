"""Subscribed to `applications.hooks`: a rendered output is withheld until it is signed
(PAdES, in the background; docs/adr/0009-signed-outputs.md)."""

from __future__ import annotations

import datetime as dt


def on_output_rendered(*, application_id: int, now: dt.datetime | None = None) -> None:
    from applications.models import Application

    from .services import output_signature_request

    output_signature_request(application=Application.objects.get(pk=application_id), now=now)
