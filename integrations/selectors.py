"""Reads of the integrations app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .errors import ClientNotFound, DeliveryNotFound, EndpointNotFound
from .models import SigningKey, StatusEvent, WebhookDelivery, WebhookEndpoint


def oidc_clients() -> QuerySet[Any]:
    from .oidc_models import OidcClient

    return OidcClient.objects.select_related("agency").order_by("name", "id")


def oidc_client_get(*, client_id: str) -> Any:
    client = oidc_clients().filter(client_id=client_id).first()
    if client is None:
        raise ClientNotFound("Aplikasi OPD tidak ditemukan.")
    return client


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("agency").order_by("name", "id")


def webhook_endpoint_get(*, endpoint_id: int) -> WebhookEndpoint:
    endpoint = webhook_endpoints().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise EndpointNotFound("Webhook tidak ditemukan.")
    return endpoint


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.order_by("-created_at", "-id")


def webhook_delivery_get(*, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise DeliveryNotFound("Pengiriman webhook tidak ditemukan.")
    return delivery


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.order_by("-created_at", "-id")


def status_events_recent(*, limit: int = 50) -> list[StatusEvent]:
    return list(StatusEvent.objects.select_related("application").order_by("-id")[:limit])
