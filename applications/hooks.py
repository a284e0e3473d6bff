"""What other apps hear about applications, through discovered hooks (core.discovery).

An app that reacts to applications provides a module ``<app>.application_hooks`` with any of:

* ``on_application_event(*, event_id)`` — a timeline event was recorded (a transition, an SLA
  breach, a deemed approval …); called inside the writer's transaction (e.g. integrations
  queues its webhooks, delivered on commit);
* ``on_application_completed(*, application_id)`` — the application was completed (feedback
  invites the citizen to the SKM survey);
* ``on_sla_breached(*, application_id)`` — its deadline passed undecided (feedback opens an
  automatic complaint when the tenant enabled that);
* batch forms for the SLA sweep, which records hundreds of events in one transaction:
  ``on_application_events(*, event_ids)`` and ``on_sla_breached_many(*, application_ids)``
  (a subscriber without them gets one call of the single form per id);
* ``on_output_rendered(*, application_id, now)`` — an output PDF was rendered and stored,
  unsigned, inside the writer's transaction (signing opens the signature job that withholds
  it until it is PAdES-signed, ADR 0009).

So `applications` imports none of its subscribers (`integrations`, `feedback`, `hall`,
`signing`): the import-linter contracts "applications does not import its subscribers" and
"The domain apps are layered" hold it.
"""

from __future__ import annotations

from datetime import datetime

from core.discovery import app_module_list, collect

MODULE = "application_hooks"


def _call(attribute: str, **kwargs: int) -> None:
    for hook in collect(MODULE, attribute):
        hook(**kwargs)


def application_event_recorded(*, event_id: int) -> None:
    _call("on_application_event", event_id=event_id)


def _call_many(batch: str, single: str, key: str, ids: list[int]) -> None:
    """One call per subscriber with the whole batch, or one per id where it has no batch
    form (the batch form answers one "anything to do here?" question for all ids)."""
    if not ids:
        return
    for mod in app_module_list(MODULE):
        many, one = getattr(mod, batch, None), getattr(mod, single, None)
        if many is not None:
            many(**{f"{key}s": list(ids)})
        elif one is not None:
            for value in ids:
                one(**{key: value})


def application_events_recorded(*, event_ids: list[int]) -> None:
    _call_many("on_application_events", "on_application_event", "event_id", event_ids)


def application_sla_breached_many(*, application_ids: list[int]) -> None:
    _call_many("on_sla_breached_many", "on_sla_breached", "application_id", application_ids)


def application_completed(*, application_id: int) -> None:
    _call("on_application_completed", application_id=application_id)


def application_sla_breached(*, application_id: int) -> None:
    _call("on_sla_breached", application_id=application_id)


def application_output_rendered(*, application_id: int, now: datetime | None = None) -> None:
    for hook in collect(MODULE, "on_output_rendered"):
        hook(application_id=application_id, now=now)
