"""Writes of the integrations app: OPD clients (OIDC), the external channel, status pushes
from OPD systems, and outbound webhooks.

Other apps announce events with :func:`webhook_emit` (or the helpers in
`integrations.hooks`), inside their own transaction: deliveries are rows written in that
transaction and sent by Celery after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot

from . import egress
from .conf import (
    EVENT_APPLICATION_STATUS_CHANGED,
    EVENT_APPLICATION_SUBMITTED,
    HEADER_DELIVERY,
    HEADER_EVENT,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    SCOPES,
    USER_SCOPES,
    WEBHOOK_BACKOFF_BASE_SECONDS,
    WEBHOOK_BODY_EXCERPT,
    WEBHOOK_EVENTS,
    WEBHOOK_MAX_ATTEMPTS,
    WEBHOOK_TIMEOUT_SECONDS,
    webhook_disable_after,
)
from .crypto import new_secret, seal, sign, unseal
from .errors import (
    EventIdConflict,
    ExternalChannelUnavailable,
    IllegalTransition,
    InvalidIntegration,
    UnknownApplication,
    WrongStep,
)
from .models import StatusEvent, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _invalid(fields: dict[str, list[str]]) -> InvalidIntegration:
    return InvalidIntegration(_("Periksa kembali isian yang ditandai."), extra={"fields": fields})


# =========================================================================== OPD clients


@dataclass(frozen=True)
class ClientSecrets:
    client_secret: str
    signing_secret: str


def _clean_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise _invalid({"allowed_scopes": [_("Cakupan tidak dikenal: %s") % ", ".join(unknown)]})
    wanted = set(scopes) | {"openid"}
    return [s for s in SCOPES if s in wanted]


def _save_client(client: Any) -> None:
    try:
        client.full_clean(exclude=["client_secret", "user", "created_by"])
    except ValidationError as exc:
        raise _invalid(_field_errors(exc)) from exc
    client.save()


@transaction.atomic
def oidc_client_register(
    *, name: str, agency: Any, redirect_uris: list[str], allowed_scopes: list[str],
    initiate_login_uri: str = "", actor: Any = None,
) -> tuple[Any, ClientSecrets]:
    """Register an OPD application. The client secret (hashed at rest) and the signing secret
    for HMAC status pushes are returned once, in plain text."""
    from oauth2_provider.generators import generate_client_secret

    from .oidc_models import OidcClient

    client_secret = generate_client_secret()
    signing_secret = new_secret()
    client = OidcClient(
        name=name.strip(), agency=agency, redirect_uris=" ".join(u.strip() for u in redirect_uris),
        allowed_scopes=_clean_scopes(allowed_scopes), initiate_login_uri=initiate_login_uri.strip(),
        client_type=OidcClient.CLIENT_CONFIDENTIAL,
        authorization_grant_type=OidcClient.GRANT_AUTHORIZATION_CODE,
        algorithm=OidcClient.RS256_ALGORITHM, client_secret=client_secret,
        hash_client_secret=True, signing_secret_sealed=seal(signing_secret),
        created_by_id=getattr(actor, "pk", None),
    )
    if not client.name:
        raise _invalid({"name": [_("Nama aplikasi wajib diisi.")]})
    _save_client(client)
    audit_record("oidc_client.register", actor=actor, target=client,
                 changes=snapshot(client, _CLIENT_AUDIT_FIELDS))
    return client, ClientSecrets(client_secret=client_secret, signing_secret=signing_secret)


# What the audit log shows of a client: never its secrets.
_CLIENT_AUDIT_FIELDS = (
    "client_id", "name", "agency", "redirect_uris", "allowed_scopes", "initiate_login_uri",
    "is_active",
)


@transaction.atomic
def oidc_client_update(
    *, client: Any, name: str | None = None, redirect_uris: list[str] | None = None,
    allowed_scopes: list[str] | None = None, initiate_login_uri: str | None = None,
    is_active: bool | None = None, actor: Any = None,
) -> Any:
    before = snapshot(client, _CLIENT_AUDIT_FIELDS)
    if name is not None:
        client.name = name.strip()
    if redirect_uris is not None:
        client.redirect_uris = " ".join(u.strip() for u in redirect_uris)
    if allowed_scopes is not None:
        client.allowed_scopes = _clean_scopes(allowed_scopes)
    if initiate_login_uri is not None:
        client.initiate_login_uri = initiate_login_uri.strip()
    if is_active is not None:
        client.is_active = is_active
    _save_client(client)
    if is_active is False or allowed_scopes is not None:
        _revoke_tokens_beyond_scopes(client)
    audit_record("oidc_client.update", actor=actor, target=client,
                 changes=diff(before, snapshot(client, _CLIENT_AUDIT_FIELDS)))
    return client


def _revoke_tokens_beyond_scopes(client: Any) -> None:
    """Tokens must never carry more than the client may now have."""
    from .oidc_models import AccessToken, RefreshToken

    allowed = set(client.allowed_scopes or []) if client.is_active else set()
    for token in AccessToken.objects.filter(application=client):
        if not set(token.scope.split()) <= allowed:
            RefreshToken.objects.filter(access_token=token).delete()
            token.delete()


@transaction.atomic
def oidc_client_rotate_secrets(*, client: Any, actor: Any = None) -> ClientSecrets:
    from oauth2_provider.generators import generate_client_secret

    client_secret = generate_client_secret()
    signing_secret = new_secret()
    client.client_secret = client_secret
    client.signing_secret_sealed = seal(signing_secret)
    client.save(update_fields=["client_secret", "signing_secret_sealed", "updated"])
    audit_record("oidc_client.rotate_secrets", actor=actor, target=client,
                 changes={"client_secret": "rotated", "signing_secret": "rotated"})
    return ClientSecrets(client_secret=client_secret, signing_secret=signing_secret)


@transaction.atomic
def oidc_client_delete(*, client: Any, actor: Any = None) -> None:
    target_id, target_repr = client.pk, str(client)
    changes = snapshot(client, _CLIENT_AUDIT_FIELDS)
    client.delete()
    audit_record("oidc_client.delete", actor=actor, target_type="integrations.oidcclient",
                 target_id=target_id, target_repr=target_repr, changes=changes)


# =========================================================================== external channel


@dataclass(frozen=True)
class ExternalOpen:
    application: Any
    redirect_url: str
    reused: bool


class _SystemActor:
    """The actor of a transition made by an OPD system (no user)."""

    pk = None
    is_authenticated = True

    def __init__(self, label: str) -> None:
        self.full_name = label

    def __str__(self) -> str:
        return self.full_name


def _client_for_offering(offering: Any) -> Any:
    from .oidc_models import OidcClient

    target = urlsplit(offering.external_url).netloc.lower()
    candidates = list(OidcClient.objects.filter(agency_id=offering.agency_id, is_active=True))
    for client in candidates:
        hosts = {urlsplit(u).netloc.lower() for u in client.redirect_uris.split()}
        hosts.add(urlsplit(client.initiate_login_uri).netloc.lower())
        if target and target in hosts:
            return client
    return candidates[0] if len(candidates) == 1 else None


def _issuer(request_host_url: str) -> str:
    return request_host_url.rstrip("/") + "/o"


def external_application_open(
    *, applicant: Any, offering: Any, host_url: str, reuse_within: dt.timedelta | None = None,
) -> ExternalOpen:
    """For an offering served by an OPD application: record a submitted local application (so
    the citizen tracks it with the others) and return where to send the citizen.

    The citizen goes to the OPD application's `initiate_login_uri` (OpenID Connect third-party
    initiated login: `iss`, `login_hint`-free, `target_link_uri`, plus `mpp_tracking_code`);
    the OPD application then runs the authorization code flow with PKCE against this tenant,
    which needs no second login because the citizen's session is already here. Without a
    registered client the citizen goes straight to the offering's URL.

    A second click within `reuse_within` (default 24 h) reuses the application as long as the
    OPD system has not reported on it yet."""
    from applications.models import Application
    from applications.services import application_create_draft
    from applications.statemachine import application_transition
    from services.models import Offering

    if offering.channel != Offering.Channel.EXTERNAL or not offering.is_enabled:
        raise ExternalChannelUnavailable(
            _("Layanan %(code)s tidak dilayani melalui aplikasi OPD.")
            % {"code": offering.service_code}
        )
    since = timezone.now() - (reuse_within or dt.timedelta(hours=24))
    with transaction.atomic():
        reported = StatusEvent.objects.values("application_id")
        existing = (
            Application.objects.filter(
                applicant_id=applicant.pk, offering=offering, status=Application.Status.SUBMITTED,
                submitted_at__gte=since,
            ).exclude(pk__in=reported).order_by("-submitted_at").first()
        )
        reused = existing is not None
        if existing is None:
            draft = application_create_draft(
                applicant=applicant, offering=offering,
                idempotency_key=f"ext-{uuid.uuid4().hex}",
            )
            existing = application_transition(
                application_id=draft.pk, action="submit", actor=applicant
            )
            hooks_application_event_latest(existing)
    client = _client_for_offering(offering)
    target = offering.external_url
    if client is not None and client.initiate_login_uri:
        params = {
            "iss": _issuer(host_url), "target_link_uri": target,
            "client_id": client.client_id, "mpp_tracking_code": existing.tracking_code,
        }
        url = client.initiate_login_uri
    else:
        params = {"mpp_tracking_code": existing.tracking_code, "iss": _issuer(host_url)}
        url = target
    separator = "&" if urlsplit(url).query else "?"
    return ExternalOpen(application=existing, redirect_url=url + separator + urlencode(params),
                        reused=reused)


def hooks_application_event_latest(application: Any) -> None:
    from applications.models import ApplicationEvent

    event = (
        ApplicationEvent.objects.filter(application=application, kind="transition")
        .order_by("-id").first()
    )
    if event is not None:
        from .hooks import on_application_event

        on_application_event(event_id=event.pk)


# =========================================================================== status push


def _staff_path(application: Any, target: str, scope: Any) -> list[str] | None:
    """Shortest list of staff actions taking the application to `target` (None: no path)."""
    from applications.statemachine import STAFF, TRANSITIONS, allowed_actions

    if application.status == target:
        return []
    first = [t for t in allowed_actions(application, user=None, scope=scope) if t.who == STAFF]
    queue: deque[tuple[str, list[str]]] = deque((t.target, [t.action]) for t in first)
    seen = {application.status}
    while queue:
        status, path = queue.popleft()
        if status == target:
            return path
        if status in seen or len(path) >= 4:
            continue
        seen.add(status)
        for transition in TRANSITIONS.values():
            if transition.who == STAFF and status in transition.sources:
                queue.append((transition.target, [*path, transition.action]))
    return None


def status_event_apply(
    *, client: Any, event_id: str, tracking_code: str, status: str, note: str = "",
    occurred_at: dt.datetime | None = None, external_reference: str = "", body_sha256: str = "",
    step: str = "",
) -> tuple[StatusEvent, bool]:
    """Apply an OPD system's status report once. Returns `(event, replayed)`.

    The report names the target status (and optionally the workflow step it is about, which
    must be the step holding the file); it is mapped onto the shortest chain of staff
    transitions of the local status machine (each one writes its event, moves the SLA clock
    and notifies the citizen). Only applications of the client's agency are visible."""
    from applications.errors import IllegalTransition as LocalIllegalTransition
    from applications.models import Application
    from applications.permissions import StaffScope
    from applications.statemachine import application_transition

    existing = StatusEvent.objects.filter(client_id=client.client_id, event_id=event_id).first()
    if existing is not None:
        return _replay(existing, body_sha256)
    application = (
        Application.objects.filter(tracking_code=tracking_code, agency_id=client.agency_id)
        .exclude(status=Application.Status.DRAFT).first()
    )
    if application is None:
        raise UnknownApplication(
            _("Permohonan %(code)s tidak dikenal untuk OPD aplikasi ini.") % {"code": tracking_code},
            extra={"application": tracking_code},
        )
    if step and step != application.current_step:
        # a report about a step the file has left (or not reached): nothing is applied
        raise WrongStep(
            _("Berkas %(code)s tidak berada pada langkah \"%(step)s\" (sekarang: \"%(now)s\").")
            % {"code": tracking_code, "step": step, "now": application.current_step},
            extra={"step": application.current_step, "requested_step": step},
        )
    scope = StaffScope(
        is_admin=False, agency_ids=frozenset({client.agency_id}),
        acting_agency_ids=frozenset({client.agency_id}),
    )
    path = _staff_path(application, status, scope)
    if path is None:
        raise IllegalTransition(
            _("Status \"%(target)s\" tidak dapat dicapai dari status \"%(status)s\".")
            % {"target": status, "status": application.status},
            extra={"status": application.status, "requested": status},
        )
    actor = _SystemActor(client.name)
    note = (note or "").strip() or _("Diperbarui oleh sistem %(name)s.") % {"name": client.name}
    try:
        with transaction.atomic():
            event = StatusEvent.objects.create(
                client_id=client.client_id, event_id=event_id, application=application,
                payload_sha256=body_sha256, requested_status=status,
                from_status=application.status, to_status=status, actions=path, note=note,
                external_reference=external_reference, occurred_at=occurred_at,
            )
            for action in path:
                updated = application_transition(
                    application_id=application.pk, action=action, actor=actor, note=note,
                    scope=scope,
                )
                hooks_application_event_latest(updated)
    except IntegrityError:  # the same event id, concurrently
        existing = StatusEvent.objects.filter(
            client_id=client.client_id, event_id=event_id
        ).first()
        if existing is None:
            raise
        return _replay(existing, body_sha256)
    except LocalIllegalTransition as exc:
        raise IllegalTransition(exc.message, extra=exc.extra) from exc
    return event, False


def _replay(existing: StatusEvent, body_sha256: str) -> tuple[StatusEvent, bool]:
    if body_sha256 and existing.payload_sha256 and existing.payload_sha256 != body_sha256:
        raise EventIdConflict(
            _("event_id ini sudah dipakai untuk laporan lain."),
            extra={"event_id": existing.event_id},
        )
    return existing, True


# =========================================================================== webhooks


def _clean_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in WEBHOOK_EVENTS]
    if unknown or not events:
        raise _invalid({"events": [_("Pilih peristiwa yang dikenal: %s") % ", ".join(WEBHOOK_EVENTS)]})
    return [e for e in WEBHOOK_EVENTS if e in set(events)]


def _check_url(url: str) -> str:
    """A webhook target: https and a public address (`integrations.egress`)."""
    url = (url or "").strip()
    problem = egress.target_problem(url)
    if problem:
        raise _invalid({"url": [problem]})
    return url


@transaction.atomic
def webhook_endpoint_create(
    *, name: str, url: str, events: list[str], agency: Any = None, actor: Any = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint; its signing secret is returned once, in plain text."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        name=(name or "").strip(), url=_check_url(url), events=_clean_events(list(events)),
        agency=agency, secret_sealed=seal(secret), created_by_id=getattr(actor, "pk", None),
    )
    try:
        endpoint.full_clean()
    except ValidationError as exc:
        raise _invalid(_field_errors(exc)) from exc
    endpoint.save()
    audit_record("webhook.create", actor=actor, target=endpoint,
                 changes=_endpoint_audit(endpoint))
    return endpoint, secret


def _endpoint_audit(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log shows of an endpoint: the URL's host only (a URL may carry a token),
    never the secret."""
    return {
        "name": endpoint.name, "host": urlsplit(endpoint.url).hostname or "",
        "events": list(endpoint.events or []), "agency_id": endpoint.agency_id,
        "is_active": endpoint.is_active,
    }


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, name: str | None = None, url: str | None = None,
    events: list[str] | None = None, is_active: bool | None = None, actor: Any = None,
) -> WebhookEndpoint:
    before = _endpoint_audit(endpoint)
    url_before = endpoint.url
    if name is not None:
        endpoint.name = name.strip()
    if url is not None:
        endpoint.url = _check_url(url)
    if events is not None:
        endpoint.events = _clean_events(list(events))
    if is_active is not None:
        endpoint.is_active = is_active
        if is_active:  # re-enabling starts a fresh failure count
            endpoint.consecutive_failures = 0
            endpoint.disabled_at = None
            endpoint.disabled_reason = ""
    try:
        endpoint.full_clean()
    except ValidationError as exc:
        raise _invalid(_field_errors(exc)) from exc
    endpoint.save()
    changes = diff(before, _endpoint_audit(endpoint))
    if endpoint.url != url_before:
        changes["url"] = "changed"
    audit_record("webhook.update", actor=actor, target=endpoint, changes=changes)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Any = None) -> None:
    target_id, target_repr, changes = endpoint.pk, str(endpoint), _endpoint_audit(endpoint)
    endpoint.delete()
    audit_record("webhook.delete", actor=actor, target_type="integrations.webhookendpoint",
                 target_id=target_id, target_repr=target_repr, changes=changes)


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    schema = connection.schema_name

    def send() -> None:
        from .tasks import webhook_deliver_task

        for delivery_id in delivery_ids:
            try:
                webhook_deliver_task.apply_async(
                    args=[delivery_id], headers={"_schema_name": schema}
                )
            except Exception:  # broker down: the beat sweep sends it later
                logger.exception("webhook delivery %s not queued", delivery_id)

    transaction.on_commit(send)


def webhook_emit(
    event_type: str, payload: dict[str, Any], *, agency_id: int | None = None,
    dedup_key: str = "",
) -> list[WebhookDelivery]:
    """Announce an event to every active endpoint subscribed to it (in the caller's
    transaction; sent after commit). Endpoints limited to an agency only get its events.
    `dedup_key` (e.g. "appevent:42") makes the call idempotent per endpoint."""
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(is_active=True)
        if event_type in (e.events or []) and (e.agency_id is None or e.agency_id == agency_id)
    ]
    if not endpoints:
        return []
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{connection.schema_name}:{dedup_key}") \
        if dedup_key else uuid.uuid4()
    now = timezone.now()
    deliveries = []
    for endpoint in endpoints:
        if dedup_key and WebhookDelivery.objects.filter(
            endpoint=endpoint, event_id=event_id, redelivery_of__isnull=True
        ).exists():
            continue
        deliveries.append(WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=event_id, event_type=event_type, next_attempt_at=now,
            payload={"id": str(event_id), "type": event_type, "created_at": now.isoformat(),
                     "tenant": connection.schema_name, "data": payload},
        ))
    _enqueue_on_commit([d.pk for d in deliveries])
    return deliveries


def backoff_seconds(attempt: int) -> float:
    """Delay before the next try after `attempt` failed tries: 30 s · 2^(n-1), ±10 % jitter."""
    base = WEBHOOK_BACKOFF_BASE_SECONDS * (2 ** max(attempt - 1, 0))
    return base * random.uniform(0.9, 1.1)


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    retry_in: float | None  # seconds until the next attempt, None when final


def _post(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> tuple[int | None, str, str, bool]:
    """(status, body excerpt, error, refused). `refused`: the target is not a public address,
    so the delivery fails at once instead of being retried."""
    import json

    import urllib3

    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MPP-Digital-Webhooks/1",
        HEADER_EVENT: delivery.event_type,
        HEADER_DELIVERY: str(delivery.event_id),
        HEADER_TIMESTAMP: timestamp,
        HEADER_SIGNATURE: sign(unseal(endpoint.secret_sealed), timestamp, body),
    }
    try:
        response = egress.post_json(endpoint.url, body=body, headers=headers,
                                    timeout=WEBHOOK_TIMEOUT_SECONDS)
    except egress.TargetRefused as exc:
        return None, "", str(exc)[:300], True
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return None, "", str(exc)[:300], False
    return response.status, response.text[:WEBHOOK_BODY_EXCERPT], "", False


def webhook_attempt(*, delivery_id: int) -> AttemptResult | None:
    """Try one delivery once and log it. Success resets the endpoint's failure count; a
    failure schedules a retry with backoff or, after the last try, marks it failed. After
    `MPP_WEBHOOK_DISABLE_AFTER` consecutive failed tries the endpoint is disabled and the tenant
    admins are told by email."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.state in {WebhookDelivery.State.SUCCEEDED,
                                                   WebhookDelivery.State.FAILED}:
            return None
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.last_error = _("Webhook dinonaktifkan.")
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
            return None
        started = time.monotonic()
        status_code, excerpt, error, refused = _post(endpoint, delivery)
        duration_ms = int((time.monotonic() - started) * 1000)
        now = timezone.now()
        ok = status_code is not None and 200 <= status_code < 300
        delivery.attempts += 1
        delivery.attempts_log = [*delivery.attempts_log, {
            "at": now.isoformat(), "status": status_code, "body": excerpt,
            "duration_ms": duration_ms, "error": error,
        }]
        delivery.last_status_code = status_code
        delivery.last_response_excerpt = excerpt
        delivery.last_duration_ms = duration_ms
        delivery.last_error = error
        retry_in = None
        if ok:
            delivery.state = WebhookDelivery.State.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            failures = _record_failure(endpoint)
            if refused or delivery.attempts >= WEBHOOK_MAX_ATTEMPTS or failures is None:
                delivery.state = WebhookDelivery.State.FAILED
                delivery.next_attempt_at = None
            else:
                retry_in = backoff_seconds(delivery.attempts)
                delivery.state = WebhookDelivery.State.RETRYING
                delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        delivery.save()
    return AttemptResult(ok=ok, retry_in=retry_in)


def _record_failure(endpoint: WebhookEndpoint) -> int | None:
    """Count a failed try; disable the endpoint at the limit (returns None then)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if endpoint.consecutive_failures < webhook_disable_after():
        return endpoint.consecutive_failures
    if endpoint.is_active:
        reason = _("%(n)d kali gagal berturut-turut.") % {"n": endpoint.consecutive_failures}
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=False, disabled_at=timezone.now(), disabled_reason=reason
        )
        audit_record("webhook.auto_disable", target=endpoint, changes={
            "is_active": [True, False], "consecutive_failures": endpoint.consecutive_failures,
        })
        _notify_admins_disabled(endpoint, reason)
    return None


def _notify_admins_disabled(endpoint: WebhookEndpoint, reason: str) -> None:
    from accounts.models import User
    from agencies.models import StaffRole

    admin_ids = list(
        StaffRole.objects.filter(role=StaffRole.Role.TENANT_ADMIN, is_active=True)
        .values_list("user_id", flat=True)
    )
    emails = list(
        User.objects.filter(pk__in=admin_ids, is_active=True, email__isnull=False)
        .values_list("email", flat=True)
    )
    if not emails:
        return
    tenant = getattr(connection, "tenant", None)
    subject = _("Webhook \"%(name)s\" dinonaktifkan") % {"name": endpoint.name}
    body = _(
        "Webhook \"%(name)s\" (%(url)s) di MPP Digital %(tenant)s dinonaktifkan otomatis: "
        "%(reason)s Periksa sistem penerima, lalu aktifkan kembali di /kelola/integrasi/."
    ) % {"name": endpoint.name, "url": endpoint.url, "tenant": getattr(tenant, "name", ""),
         "reason": reason}
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)
    )


@transaction.atomic
def webhook_redeliver(*, delivery: WebhookDelivery, actor: Any = None) -> WebhookDelivery:
    """Send the same event again (same event id, so receivers can deduplicate)."""
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint, event_id=delivery.event_id, event_type=delivery.event_type,
        payload=delivery.payload, redelivery_of=delivery, next_attempt_at=timezone.now(),
    )
    audit_record("webhook.redeliver", actor=actor, target=delivery.endpoint, changes={
        "delivery_id": copy.pk, "redelivery_of": delivery.pk, "event_type": delivery.event_type,
    })
    _enqueue_on_commit([copy.pk])
    return copy


@transaction.atomic
def webhook_ping(*, endpoint: WebhookEndpoint, actor: Any = None) -> WebhookDelivery:
    """A test event to one endpoint (whatever its subscriptions)."""
    from .conf import EVENT_PING

    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=EVENT_PING,
        payload={"id": str(event_id), "type": EVENT_PING, "created_at": timezone.now().isoformat(),
                 "tenant": connection.schema_name, "data": {}},
        next_attempt_at=timezone.now(),
    )
    audit_record("webhook.ping", actor=actor, target=endpoint,
                 changes={"delivery_id": delivery.pk})
    _enqueue_on_commit([delivery.pk])
    return delivery


def webhooks_due() -> list[int]:
    """Deliveries whose next try is due (a message lost with the broker is sent again)."""
    cutoff = timezone.now() - dt.timedelta(seconds=60)
    return list(
        WebhookDelivery.objects.filter(
            state__in=[WebhookDelivery.State.PENDING, WebhookDelivery.State.RETRYING],
            next_attempt_at__lte=cutoff,
        ).values_list("pk", flat=True)[:500]
    )


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


__all__ = [
    "EVENT_APPLICATION_STATUS_CHANGED",
    "EVENT_APPLICATION_SUBMITTED",
    "USER_SCOPES",
    "webhook_emit",
]
