"""Called by the sla app (core.discovery `sla_hooks.on_sla_rules_changed`) on commit after a
work-calendar or SLA-policy change, in the schema of the tenant that changed."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_sla_rules_changed(*, reason: str, offering_id: int | None = None, **_: object) -> None:
    """Recompute the deadlines of open applications (one offering, or all of them) and
    record an `sla_recomputed` event with the reason on each one whose deadline moved."""
    from .services import applications_recompute_due

    changed = applications_recompute_due(reason=reason, offering_id=offering_id)
    logger.info("sla rules changed (%s): %d open application deadlines moved", reason, changed)
