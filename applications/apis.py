"""API of the applications app (`/api/v1/…` on a tenant host): one APIView per operation,
nested Input/Output serializers, business errors from services (`{code, message, extra}`).

Citizen: list own applications, create a draft, submit (Idempotency-Key header), detail with
timeline, cancel. Staff: worklist of their OPDs, transitions. Lists use a constant number
of queries."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import TenantApi, TenantStaffApi
from api.pagination import DefaultPagination
from api.schema import paginated

from . import selectors, services
from .errors import ApplicationNotFound
from .models import Application, SlaState, Status
from .permissions import staff_scope
from .statemachine import TRANSITIONS, application_transition

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="Kunci unik per pengajuan; pengulangan dengan kunci sama mengembalikan "
                "permohonan yang sama.",
)


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApplicationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField(allow_null=True)
    service_code = serializers.CharField()
    service_name = serializers.CharField(source="service_version.name")
    agency = serializers.CharField(source="agency.name")
    status = serializers.CharField(help_text=", ".join(Status.values))
    status_label = serializers.CharField(source="get_status_display")
    sla_state = serializers.CharField(help_text=", ".join(SlaState.values))
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    sla_reasons = serializers.ListField(child=serializers.CharField())


class StepSerializer(serializers.Serializer):
    code = serializers.CharField(source="step_code")
    name = serializers.CharField(source="step_name")
    agency = serializers.CharField(source="agency.name")
    status = serializers.SerializerMethodField(help_text="open, or the outcome: "
                                               "forward, return, send_back, reject, approve, "
                                               "deemed, complete, cancel")
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    sla_state = serializers.CharField()

    def get_status(self, row) -> str:  # type: ignore[no-untyped-def]
        return "open" if row.finished_at is None else row.outcome


def _detail_data(application: Application, *, include_internal: bool = False) -> dict:
    data = ApplicationSummarySerializer(application).data
    data.update({
        "current_step": application.current_step,
        "steps": StepSerializer(
            application.steps.select_related("agency").order_by("started_at", "id"), many=True
        ).data,
        "form_data": application.form_data,
        "documents": application.documents,
        "revision_message": application.revision_message,
        "revision_deadline": application.revision_deadline,
        "decision_note": application.decision_note,
        "timeline": EventSerializer(
            selectors.timeline(application=application, include_internal=include_internal),
            many=True,
        ).data,
    })
    return data


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    form_data = serializers.DictField()
    documents = serializers.DictField(child=serializers.IntegerField())
    revision_message = serializers.CharField()
    revision_deadline = serializers.DateField(allow_null=True)
    decision_note = serializers.CharField()
    current_step = serializers.CharField(help_text="code of the workflow step holding the file")
    steps = StepSerializer(many=True)
    timeline = EventSerializer(many=True)


def _own(request: Request, ref: str) -> Application:
    application = (
        Application.objects.select_related("service_version", "agency", "offering")
        .filter(selectors.application_by_ref(ref), applicant_id=request.user.pk).first()
    )
    if application is None:
        raise ApplicationNotFound("Permohonan tidak ditemukan.")
    return application


class ApplicationListApi(TenantApi):
    """The caller's own applications in this tenant (citizen); POST creates a draft."""

    class InputSerializer(serializers.Serializer):
        service_code = serializers.CharField(max_length=12)
        form_data = serializers.DictField(required=False, default=dict)
        documents = serializers.DictField(
            child=serializers.IntegerField(), required=False, default=dict
        )

    @extend_schema(operation_id="applications_mine_list",
                   responses=paginated(ApplicationSummarySerializer))
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.applications_of(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(
            ApplicationSummarySerializer(page, many=True).data
        )

    @extend_schema(operation_id="applications_draft_create", request=InputSerializer,
                   responses={201: ApplicationDetailSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offering = services.offering_for_apply(
            service_code=serializer.validated_data["service_code"]
        )
        application = services.application_create_draft(
            applicant=request.user, offering=offering,
            form_data=serializer.validated_data["form_data"],
            documents=serializer.validated_data["documents"],
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        application = _own(request, str(application.pk))
        return Response(_detail_data(application), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(TenantApi):
    @extend_schema(operation_id="applications_mine_detail",
                   responses=ApplicationDetailSerializer)
    def get(self, request: Request, ref: str) -> Response:
        return Response(_detail_data(_own(request, ref)))


class ApplicationSubmitApi(TenantApi):
    """Submit a draft. Requires `Idempotency-Key`; a replay returns the same application
    (200) instead of submitting twice (201 the first time)."""

    class InputSerializer(serializers.Serializer):
        form_data = serializers.DictField(required=False)
        documents = serializers.DictField(child=serializers.IntegerField(), required=False)
        share_consent = serializers.BooleanField(
            required=False, default=False,
            help_text="the citizen agreed to give the vault documents to the OPDs listed in a "
                      "previous 400 share_consent_required answer (docs/adr/0013)",
        )
        consent_digest = serializers.CharField(required=False, default="", max_length=64,
                                               allow_blank=True)

    @extend_schema(operation_id="applications_submit", request=InputSerializer,
                   parameters=[IDEMPOTENCY_HEADER],
                   responses={200: ApplicationDetailSerializer, 201: ApplicationDetailSerializer})
    def post(self, request: Request, ref: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = _own(request, ref)
        submitted, replayed = services.application_submit(
            applicant=request.user, application_id=application.pk,
            idempotency_key=request.headers.get("Idempotency-Key"),
            form_data=serializer.validated_data.get("form_data"),
            documents=serializer.validated_data.get("documents"),
            share_consent=serializer.validated_data["share_consent"],
            consent_digest=serializer.validated_data["consent_digest"],
        )
        return Response(
            _detail_data(_own(request, str(submitted.pk))),
            status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
        )


class ApplicationCancelApi(TenantApi):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    @extend_schema(operation_id="applications_cancel", request=InputSerializer,
                   responses=ApplicationDetailSerializer)
    def post(self, request: Request, ref: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = _own(request, ref)
        application_transition(application_id=application.pk, action="cancel",
                               actor=request.user, note=serializer.validated_data["note"])
        return Response(_detail_data(_own(request, ref)))


class WorklistItemSerializer(ApplicationSummarySerializer):
    applicant_name = serializers.CharField(source="applicant.full_name")
    assigned_to_id = serializers.IntegerField(allow_null=True)
    at_risk_at = serializers.DateTimeField(allow_null=True)


class WorklistApi(TenantStaffApi):
    """Applications of the caller's OPDs (all for tenant admins), most urgent first. Filters:
    `status` (or `all`), `sla_state`, `service`, `due_before` (YYYY-MM-DD), `assigned`
    (`me`/`none`), `q` (tracking code)."""

    @extend_schema(
        operation_id="applications_worklist",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR),
            OpenApiParameter("sla_state", OpenApiTypes.STR),
            OpenApiParameter("service", OpenApiTypes.STR),
            OpenApiParameter("due_before", OpenApiTypes.DATE),
            OpenApiParameter("assigned", OpenApiTypes.STR),
            OpenApiParameter("q", OpenApiTypes.STR),
        ],
        responses=paginated(WorklistItemSerializer),
    )
    def get(self, request: Request) -> Response:
        scope = staff_scope(request.user, request=request)
        qs = selectors.worklist(
            scope=scope, user=request.user,
            filters=selectors.WorklistFilters.from_params(request.query_params),
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(WorklistItemSerializer(page, many=True).data)


class ApplicationTransitionApi(TenantApi):
    """Make a transition: 200 with the application, 404 when the application belongs to
    another OPD or tenant, 403 for a role that may not make it, 409 when the current status
    does not allow it. Citizens may use it for their own `submit`-free actions (`cancel`,
    `resubmit` has its own form data and is refused here)."""

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=[(a, a) for a in TRANSITIONS])
        note = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                     default="")
        revision_deadline = serializers.DateField(required=False, allow_null=True)
        record = serializers.DictField(
            child=serializers.CharField(max_length=500), required=False, default=dict,
            help_text="forward: the current step's text fields to record; its documents as "
                      "multipart files named record_<code>",
        )

    @extend_schema(operation_id="applications_transition", request=InputSerializer,
                   responses=inline_serializer("TransitionResult", {
                       "tracking_code": serializers.CharField(),
                       "status": serializers.CharField(),
                       "current_step": serializers.CharField(),
                       "agency": serializers.CharField(),
                       "sla_state": serializers.CharField(),
                       "due_at": serializers.DateTimeField(allow_null=True),
                   }))
    def post(self, request: Request, ref: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = serializer.validated_data["action"]
        if action in {"submit", "resubmit"}:
            return Response(
                {"code": "use_dedicated_endpoint",
                 "message": "Gunakan endpoint pengajuan untuk tindakan ini.", "extra": {}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        scope = staff_scope(request.user)
        lookup = Application.objects.filter(selectors.application_by_ref(ref)).exclude(
            status=Status.DRAFT
        ).values_list("pk", flat=True).first()
        if lookup is None:
            raise ApplicationNotFound("Permohonan tidak ditemukan.")
        application = application_transition(
            application_id=lookup, action=action, actor=request.user,
            note=serializer.validated_data["note"],
            revision_deadline=serializer.validated_data.get("revision_deadline"), scope=scope,
            record={**serializer.validated_data["record"], **{
                key.removeprefix("record_"): value for key, value in request.FILES.items()
                if key.startswith("record_")
            }} if action == "forward" else None,
        )
        return Response({
            "tracking_code": application.tracking_code, "status": application.status,
            "current_step": application.current_step,
            "agency": application.agency.name if application.agency_id else "",
            "sla_state": application.sla_state, "due_at": application.due_at,
        })
