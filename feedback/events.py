"""What other apps hear about feedback, through discovered hooks (core.discovery).

An app that reacts provides a module ``<app>.feedback_hooks`` with any of:

* ``on_complaint_filed(*, complaint_id)`` — a complaint was filed, inside the writer's
  transaction (integrations queues its webhooks, delivered on commit).

So `feedback` imports none of its subscribers (`integrations`).
"""

from __future__ import annotations

from core.discovery import collect

MODULE = "feedback_hooks"


def complaint_filed(*, complaint_id: int) -> None:
    for hook in collect(MODULE, "on_complaint_filed"):
        hook(complaint_id=complaint_id)
