"""API routes of the integrations app (collected by api.urls under /api/v1/)."""

from django.urls import path

from . import apis
from .apis_public import OpenDataKpiApi

public_urlpatterns = [
    path("open-data/kpis/", OpenDataKpiApi.as_view(), name="open-data-kpis"),
]

tenant_urlpatterns = [
    path("integrations/status-events/", apis.StatusEventCreateApi.as_view(),
         name="integrations-status-events"),
    path("integrations/clients/", apis.OidcClientListApi.as_view(),
         name="integrations-clients"),
    path("integrations/clients/new/", apis.OidcClientCreateApi.as_view(),
         name="integrations-clients-create"),
    path("integrations/clients/<str:client_id>/", apis.OidcClientDetailApi.as_view(),
         name="integrations-client-detail"),
    path("integrations/clients/<str:client_id>/update/", apis.OidcClientUpdateApi.as_view(),
         name="integrations-client-update"),
    path("integrations/clients/<str:client_id>/rotate-secret/",
         apis.OidcClientRotateSecretApi.as_view(), name="integrations-client-rotate"),
    path("integrations/clients/<str:client_id>/delete/", apis.OidcClientDeleteApi.as_view(),
         name="integrations-client-delete"),
    path("integrations/webhooks/", apis.WebhookEndpointListApi.as_view(),
         name="integrations-webhooks"),
    path("integrations/webhooks/new/", apis.WebhookEndpointCreateApi.as_view(),
         name="integrations-webhooks-create"),
    path("integrations/webhooks/<int:endpoint_id>/update/",
         apis.WebhookEndpointUpdateApi.as_view(), name="integrations-webhook-update"),
    path("integrations/webhooks/<int:endpoint_id>/delete/",
         apis.WebhookEndpointDeleteApi.as_view(), name="integrations-webhook-delete"),
    path("integrations/webhooks/<int:endpoint_id>/ping/", apis.WebhookPingApi.as_view(),
         name="integrations-webhook-ping"),
    path("integrations/webhooks/<int:endpoint_id>/deliveries/",
         apis.WebhookDeliveryListApi.as_view(), name="integrations-webhook-deliveries"),
    path("integrations/webhook-deliveries/<int:delivery_id>/redeliver/",
         apis.WebhookRedeliverApi.as_view(), name="integrations-webhook-redeliver"),
    path("integrations/signing-keys/", apis.SigningKeyListApi.as_view(),
         name="integrations-signing-keys"),
    path("integrations/signing-keys/rotate/", apis.SigningKeyRotateApi.as_view(),
         name="integrations-signing-keys-rotate"),
]
