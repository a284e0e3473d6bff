"""The batch forms of `applications.hooks` (the SLA sweep records hundreds of events in one
transaction): a subscriber with the batch form is called once with every id; one with only
the single form is called once per id; a batch of nothing calls nobody."""

from __future__ import annotations

from types import SimpleNamespace

from applications import hooks


def test_batch_form_once_single_form_per_id(monkeypatch):
    calls: list[tuple[str, object]] = []
    batch = SimpleNamespace(on_application_events=lambda *, event_ids: calls.append(
        ("batch", event_ids)))
    single = SimpleNamespace(on_application_event=lambda *, event_id: calls.append(
        ("single", event_id)))
    neither = SimpleNamespace()
    monkeypatch.setattr(hooks, "app_module_list", lambda module: (batch, single, neither))

    hooks.application_events_recorded(event_ids=[3, 5])
    assert calls == [("batch", [3, 5]), ("single", 3), ("single", 5)]

    calls.clear()
    hooks.application_events_recorded(event_ids=[])
    assert calls == []


def test_the_real_subscribers_offer_the_batch_forms():
    """integrations (webhooks) and feedback (automatic complaints) answer a sweep batch with
    one check each, not one per event."""
    from core.discovery import app_module_list

    modules = {m.__name__: m for m in app_module_list("application_hooks")}
    assert hasattr(modules["integrations.application_hooks"], "on_application_events")
    assert hasattr(modules["feedback.application_hooks"], "on_sla_breached_many")
