"""Integrations API (tenant host): the OPD status push and the tenant admin's management of
OPD clients, webhooks and signing keys. One APIView per operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import OnTenantHost, TenantApi, TenantStaffApi
from api.pagination import DefaultPagination
from api.schema import paginated

from . import selectors, services
from .authentication import IsOpdClient, OpdBearerAuthentication, OpdSignatureAuthentication
from .conf import SCOPES, WEBHOOK_EVENTS
from .throttles import OpdClientRateThrottle

ADMIN_ONLY = ("tenant_admin",)
STATUS_CHOICES = [
    "submitted", "in_verification", "returned", "in_process", "approved", "rejected",
    "completed",
]
TAG_OPD = ["integrations: OPD systems"]
TAG_ADMIN = ["integrations: admin"]


# =========================================================================== status push


class StatusEventCreateApi(TenantApi):
    """An OPD system reports the status of an application it processes."""

    authentication_classes = [OpdBearerAuthentication, OpdSignatureAuthentication]
    permission_classes = [OnTenantHost, IsOpdClient]
    throttle_classes = [OpdClientRateThrottle]

    class InputSerializer(serializers.Serializer):
        event_id = serializers.CharField(max_length=100, help_text="Unique per client; replays "
                                         "with the same id are applied once.")
        application = serializers.CharField(max_length=40, help_text="Tracking code.")
        status = serializers.ChoiceField(choices=STATUS_CHOICES)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        occurred_at = serializers.DateTimeField(required=False)
        external_reference = serializers.CharField(max_length=100, required=False,
                                                   allow_blank=True)
        step = serializers.CharField(
            max_length=60, required=False, allow_blank=True,
            help_text="The workflow step the report is about (e.g. verifikasi_teknis); "
                      "refused with 409 wrong_step when the file is at another step.",
        )

    class OutputSerializer(serializers.Serializer):
        event_id = serializers.CharField()
        application = serializers.CharField(source="application.tracking_code")
        status = serializers.CharField(source="application.status")
        step = serializers.CharField(source="application.current_step",
                                     help_text="The workflow step holding the file now.")
        actions = serializers.ListField(child=serializers.CharField())
        replayed = serializers.BooleanField()
        received_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="integrations_status_events_create", tags=TAG_OPD, request=InputSerializer,
        responses={200: OutputSerializer, 201: OutputSerializer},
        parameters=[
            OpenApiParameter("X-MPP-Client-Id", str, OpenApiParameter.HEADER, required=False),
            OpenApiParameter("X-MPP-Timestamp", str, OpenApiParameter.HEADER, required=False),
        ],
        description="201 when applied, 200 for a replay of the same event_id. Errors: "
                    "404 unknown_application, 409 illegal_transition / event_id_conflict / "
                    "wrong_step, "
                    "401 stale_timestamp / bad_signature.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event, replayed = services.status_event_apply(
            client=request.user.client, event_id=data["event_id"],
            tracking_code=data["application"], status=data["status"],
            note=data.get("note", ""), occurred_at=data.get("occurred_at"),
            external_reference=data.get("external_reference", ""),
            body_sha256=services.body_digest(request._request.body),
            step=data.get("step", ""),
        )
        event.application.refresh_from_db(fields=["status", "current_step"])
        event.replayed = replayed
        body = self.OutputSerializer(event).data
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


# =========================================================================== OPD clients


class _ClientOutput(serializers.Serializer):
    client_id = serializers.CharField()
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    redirect_uris = serializers.SerializerMethodField()
    allowed_scopes = serializers.ListField(child=serializers.CharField())
    initiate_login_uri = serializers.CharField()
    is_active = serializers.BooleanField()
    created = serializers.DateTimeField()

    def get_redirect_uris(self, obj: Any) -> list[str]:
        return obj.redirect_uris.split()


class _ClientInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    agency = serializers.SlugField(max_length=30, help_text="Agency code.")
    redirect_uris = serializers.ListField(child=serializers.URLField(max_length=500),
                                          min_length=1, max_length=10)
    allowed_scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SCOPES)), required=False
    )
    initiate_login_uri = serializers.URLField(max_length=500, required=False, allow_blank=True)


def _agency(code: str) -> Any:
    from agencies.models import Agency

    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is None:
        raise services.InvalidIntegration(
            "OPD tidak ditemukan.", extra={"fields": {"agency": ["OPD tidak ditemukan."]}}
        )
    return agency


class OidcClientListApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_ClientOutput):
        pass

    @extend_schema(operation_id="integrations_clients_list", tags=TAG_ADMIN, responses=paginated(OutputSerializer,
                                                       "PaginatedOidcClientList"))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.oidc_clients(), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class OidcClientCreateApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class InputSerializer(_ClientInput):
        pass

    class OutputSerializer(_ClientOutput):
        client_secret = serializers.CharField(help_text="Shown once.")
        signing_secret = serializers.CharField(help_text="HMAC key for status pushes; shown once.")

    @extend_schema(operation_id="integrations_clients_create", tags=TAG_ADMIN, request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client, secrets = services.oidc_client_register(
            name=data["name"], agency=_agency(data["agency"]),
            redirect_uris=data["redirect_uris"],
            allowed_scopes=data.get("allowed_scopes") or ["openid", "profile", "email"],
            initiate_login_uri=data.get("initiate_login_uri", ""), actor=request.user,
        )
        client.client_secret = secrets.client_secret
        client.signing_secret = secrets.signing_secret
        return Response(self.OutputSerializer(client).data, status=status.HTTP_201_CREATED)


class OidcClientDetailApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_ClientOutput):
        pass

    @extend_schema(operation_id="integrations_clients_retrieve", tags=TAG_ADMIN, responses=OutputSerializer)
    def get(self, request: Request, client_id: str, *args: Any, **kwargs: Any) -> Response:
        return Response(self.OutputSerializer(selectors.oidc_client_get(client_id=client_id)).data)


class OidcClientUpdateApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=255, required=False)
        redirect_uris = serializers.ListField(child=serializers.URLField(max_length=500),
                                              min_length=1, max_length=10, required=False)
        allowed_scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=list(SCOPES)), required=False
        )
        initiate_login_uri = serializers.URLField(max_length=500, required=False,
                                                  allow_blank=True)
        is_active = serializers.BooleanField(required=False)

    class OutputSerializer(_ClientOutput):
        pass

    @extend_schema(operation_id="integrations_clients_update", tags=TAG_ADMIN, request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, client_id: str, *args: Any, **kwargs: Any) -> Response:
        client = selectors.oidc_client_get(client_id=client_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.oidc_client_update(client=client, actor=request.user,
                                             **serializer.validated_data)
        return Response(self.OutputSerializer(client).data)


class OidcClientRotateSecretApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(serializers.Serializer):
        client_id = serializers.CharField()
        client_secret = serializers.CharField()
        signing_secret = serializers.CharField()

    @extend_schema(operation_id="integrations_clients_rotate_secret", tags=TAG_ADMIN, request=None, responses=OutputSerializer)
    def post(self, request: Request, client_id: str, *args: Any, **kwargs: Any) -> Response:
        client = selectors.oidc_client_get(client_id=client_id)
        secrets = services.oidc_client_rotate_secrets(client=client, actor=request.user)
        return Response(self.OutputSerializer({
            "client_id": client.client_id, "client_secret": secrets.client_secret,
            "signing_secret": secrets.signing_secret,
        }).data)


class OidcClientDeleteApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    @extend_schema(operation_id="integrations_clients_delete", tags=TAG_ADMIN, request=None, responses={204: None})
    def post(self, request: Request, client_id: str, *args: Any, **kwargs: Any) -> Response:
        services.oidc_client_delete(client=selectors.oidc_client_get(client_id=client_id),
                                    actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# =========================================================================== webhooks


class _EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    agency = serializers.CharField(source="agency.code", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()


class WebhookEndpointListApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_EndpointOutput):
        pass

    @extend_schema(operation_id="integrations_webhooks_list", tags=TAG_ADMIN, responses=paginated(OutputSerializer,
                                                       "PaginatedWebhookEndpointList"))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.webhook_endpoints(), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class WebhookEndpointCreateApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150)
        url = serializers.URLField(max_length=500)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=list(WEBHOOK_EVENTS)), min_length=1
        )
        agency = serializers.SlugField(max_length=30, required=False, allow_blank=True)

    class OutputSerializer(_EndpointOutput):
        secret = serializers.CharField(help_text="Signing secret; shown once.")

    @extend_schema(operation_id="integrations_webhooks_create", tags=TAG_ADMIN, request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = services.webhook_endpoint_create(
            name=data["name"], url=data["url"], events=data["events"],
            agency=_agency(data["agency"]) if data.get("agency") else None, actor=request.user,
        )
        endpoint.secret = secret
        return Response(self.OutputSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointUpdateApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150, required=False)
        url = serializers.URLField(max_length=500, required=False)
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=list(WEBHOOK_EVENTS)), min_length=1,
            required=False,
        )
        is_active = serializers.BooleanField(required=False)

    class OutputSerializer(_EndpointOutput):
        pass

    @extend_schema(operation_id="integrations_webhooks_update", tags=TAG_ADMIN, request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, endpoint_id: int, *args: Any, **kwargs: Any) -> Response:
        endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(endpoint=endpoint, actor=request.user,
                                                    **serializer.validated_data)
        return Response(self.OutputSerializer(endpoint).data)


class WebhookEndpointDeleteApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    @extend_schema(operation_id="integrations_webhooks_delete", tags=TAG_ADMIN, request=None, responses={204: None})
    def post(self, request: Request, endpoint_id: int, *args: Any, **kwargs: Any) -> Response:
        services.webhook_endpoint_delete(
            endpoint=selectors.webhook_endpoint_get(endpoint_id=endpoint_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class _DeliveryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.UUIDField()
    event_type = serializers.CharField()
    state = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True)
    last_response_excerpt = serializers.CharField()
    last_duration_ms = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class WebhookPingApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_DeliveryOutput):
        pass

    @extend_schema(operation_id="integrations_webhooks_ping", tags=TAG_ADMIN, request=None, responses={202: OutputSerializer})
    def post(self, request: Request, endpoint_id: int, *args: Any, **kwargs: Any) -> Response:
        endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        delivery = services.webhook_ping(endpoint=endpoint, actor=request.user)
        delivery.refresh_from_db()
        return Response(self.OutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_DeliveryOutput):
        attempts_log = serializers.ListField(child=serializers.DictField())

    @extend_schema(operation_id="integrations_webhooks_deliveries_list", tags=TAG_ADMIN, responses=paginated(OutputSerializer,
                                                       "PaginatedWebhookDeliveryList"))
    def get(self, request: Request, endpoint_id: int, *args: Any, **kwargs: Any) -> Response:
        endpoint = selectors.webhook_endpoint_get(endpoint_id=endpoint_id)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.webhook_deliveries(endpoint=endpoint), request, view=self
        )
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class WebhookRedeliverApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_DeliveryOutput):
        pass

    @extend_schema(operation_id="integrations_webhook_deliveries_redeliver", tags=TAG_ADMIN, request=None, responses={202: OutputSerializer})
    def post(self, request: Request, delivery_id: int, *args: Any, **kwargs: Any) -> Response:
        delivery = selectors.webhook_delivery_get(delivery_id=delivery_id)
        copy = services.webhook_redeliver(delivery=delivery, actor=request.user)
        copy.refresh_from_db()
        return Response(self.OutputSerializer(copy).data, status=status.HTTP_202_ACCEPTED)


# =========================================================================== signing keys


class _KeyOutput(serializers.Serializer):
    kid = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    rotated_at = serializers.DateTimeField(allow_null=True)


class SigningKeyListApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_KeyOutput):
        pass

    @extend_schema(operation_id="integrations_signing_keys_list", tags=TAG_ADMIN, responses=OutputSerializer(many=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from .keys import signing_key_current

        signing_key_current()
        return Response(self.OutputSerializer(selectors.signing_keys()[:10], many=True).data)


class SigningKeyRotateApi(TenantStaffApi):
    staff_roles_allowed = ADMIN_ONLY

    class OutputSerializer(_KeyOutput):
        pass

    @extend_schema(operation_id="integrations_signing_keys_rotate", tags=TAG_ADMIN, request=None, responses=OutputSerializer)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from .keys import signing_key_rotate

        return Response(self.OutputSerializer(signing_key_rotate(actor=request.user)).data)
