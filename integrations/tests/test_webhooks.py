"""Outbound webhooks against a real HTTP receiver on 127.0.0.1: signed deliveries, retries
with backoff after a 500, the delivery log, redelivery, disabling after repeated failure."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from integrations.crypto import signature_matches


class Receiver:
    """A local webhook receiver: answers with the queued status codes (then 200) and checks
    every signature with the shared secret."""

    def __init__(self) -> None:
        self.secret = ""
        self.statuses: list[int] = []
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-MPP-Timestamp"]
                valid = signature_matches(receiver.secret, timestamp, body,
                                          self.headers["X-MPP-Signature"])
                fresh = abs(time.time() - int(timestamp)) <= 300
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append({
                    "valid": valid and fresh, "event": self.headers["X-MPP-Event"],
                    "delivery": self.headers["X-MPP-Delivery"], "body": json.loads(body),
                    "status": status,
                })
                self.send_response(status if valid else 401)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"boom")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mpp"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with Receiver() as running:
        yield running


@pytest.fixture
def endpoint(receiver, tenant_a, in_tenant):
    from integrations.services import webhook_endpoint_create

    with in_tenant(tenant_a):
        endpoint, secret = webhook_endpoint_create(
            name="SiCantik", url=receiver.url,
            events=["application.submitted", "application.status_changed"],
        )
    receiver.secret = secret
    return endpoint


def test_signed_delivery_retried_after_a_500(receiver, endpoint, tenant_a, in_tenant, citizen,
                                             external_offering,
                                             django_capture_on_commit_callbacks):
    from integrations.models import WebhookDelivery
    from integrations.services import external_application_open

    receiver.statuses = [500]
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        application = external_application_open(
            applicant=citizen, offering=external_offering, host_url="http://kota-bandung.localhost"
        ).application
    # the receiver saw the same event twice: a 500, then a 200; both signed
    assert [r["status"] for r in receiver.requests] == [500, 200]
    assert all(r["valid"] for r in receiver.requests)
    assert {r["delivery"] for r in receiver.requests} == {receiver.requests[0]["body"]["id"]}
    payload = receiver.requests[-1]["body"]
    assert payload["type"] == "application.submitted"
    assert payload["data"]["tracking_code"] == application.tracking_code
    assert "nik" not in json.dumps(payload).lower()
    with in_tenant(tenant_a):
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.state == "succeeded" and delivery.attempts == 2
        assert [a["status"] for a in delivery.attempts_log] == [500, 200]
        assert delivery.attempts_log[0]["body"] == "boom"
        assert all(a["duration_ms"] >= 0 for a in delivery.attempts_log)


def test_status_push_emits_status_changed_once(receiver, endpoint, tenant_a, in_tenant, citizen,
                                               external_offering, agency_a, make_rp, client_a,
                                               django_capture_on_commit_callbacks):
    from integrations.services import external_application_open, status_event_apply

    rp = make_rp(tenant_a, agency_a)
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        application = external_application_open(
            applicant=citizen, offering=external_offering, host_url="http://x"
        ).application
        for _ in range(3):
            status_event_apply(client=rp.client, event_id="once", status="in_verification",
                               tracking_code=application.tracking_code, body_sha256="b")
    events = [r["event"] for r in receiver.requests]
    assert events == ["application.submitted", "application.status_changed"]


def test_redelivery_sends_the_same_event_again(receiver, endpoint, tenant_a, in_tenant,
                                               django_capture_on_commit_callbacks):
    from integrations.models import WebhookDelivery
    from integrations.services import webhook_emit, webhook_redeliver

    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        webhook_emit("application.status_changed", {"tracking_code": "T-1"})
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery=WebhookDelivery.objects.get(endpoint=endpoint))
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["delivery"] == receiver.requests[1]["delivery"]


def test_endpoint_disabled_after_repeated_failures_and_admin_told(
    receiver, endpoint, tenant_a, in_tenant, settings, tenant_admin,
    django_capture_on_commit_callbacks,
):
    from integrations.models import WebhookDelivery, WebhookEndpoint
    from integrations.services import webhook_emit

    settings.MPP_WEBHOOK_DISABLE_AFTER = 3
    receiver.statuses = [500] * 10
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        webhook_emit("application.status_changed", {"tracking_code": "T-2"})
    assert len(receiver.requests) == 3
    with in_tenant(tenant_a):
        endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
        assert endpoint.is_active is False and endpoint.disabled_at is not None
        assert WebhookDelivery.objects.get(endpoint=endpoint).state == "failed"
    assert [m.to for m in mail.outbox] == [[tenant_admin.email]]
    assert "dinonaktifkan" in mail.outbox[0].subject
    # disabled endpoints get nothing more
    with in_tenant(tenant_a):
        assert webhook_emit("application.status_changed", {"tracking_code": "T-3"}) == []


def test_backoff_grows_exponentially_and_is_bounded():
    from integrations.conf import WEBHOOK_MAX_ATTEMPTS
    from integrations.services import backoff_seconds

    delays = [backoff_seconds(n) for n in range(1, WEBHOOK_MAX_ATTEMPTS)]
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert 27 <= delays[0] <= 33 and delays[-1] <= 30 * 2 ** 4 * 1.1


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/",
    "https://127.0.0.1:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/",
    "https://192.168.1.10/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[fd00::1]/",
    "https://localhost/",
    "https://LOCALHOST./",
    "https://kota-bandung.localhost/",
    "https://db.internal/",
    "https://intranet/",
    "https://0.0.0.0/",
])
def test_internal_targets_are_refused_at_registration(tenant_a, in_tenant, settings, url):
    from integrations.errors import InvalidIntegration
    from integrations.models import WebhookEndpoint
    from integrations.services import webhook_endpoint_create

    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with in_tenant(tenant_a):
        with pytest.raises(InvalidIntegration) as caught:
            webhook_endpoint_create(name="x", url=url, events=["sla.breached"])
        message = caught.value.extra["fields"]["url"][0]
        assert "publik" in message or "https://" in message, message
        assert not WebhookEndpoint.objects.exists()


def test_a_name_resolving_to_an_internal_address_is_refused(
    tenant_a, in_tenant, settings, monkeypatch
):
    import socket

    from integrations.errors import InvalidIntegration
    from integrations.services import webhook_endpoint_create

    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))])
    with in_tenant(tenant_a), pytest.raises(InvalidIntegration) as caught:
        webhook_endpoint_create(name="x", url="https://rebind.example.id/hook",
                                events=["sla.breached"])
    assert "rebind.example.id" in caught.value.extra["fields"]["url"][0]


def test_delivery_resolves_once_and_connects_to_the_checked_address(
    receiver, tenant_a, in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    import socket

    from integrations.services import webhook_emit, webhook_endpoint_create

    port = receiver.server.server_address[1]
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, *args, **kwargs):
        if host == "sicantik.example.id":  # a DNS answer that would change on a second look
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "10.9.9.9"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    with in_tenant(tenant_a):
        _, secret = webhook_endpoint_create(
            name="SiCantik", url=f"http://sicantik.example.id:{port}/hooks/mpp",
            events=["sla.breached"])
    receiver.secret = secret
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    lookups.clear()
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        webhook_emit("sla.breached", {"tracking_code": "T-DNS"})
    # one lookup per delivery, and the request reached the address that lookup returned
    assert lookups == ["sicantik.example.id"]
    assert [r["valid"] for r in receiver.requests] == [True]


def test_a_refused_delivery_fails_at_once_without_retries(
    receiver, endpoint, tenant_a, in_tenant, settings, django_capture_on_commit_callbacks
):
    from integrations.models import WebhookDelivery
    from integrations.services import webhook_emit

    # an endpoint saved while private networks were allowed (development), then delivered
    # in production
    settings.MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        webhook_emit("application.status_changed", {"tracking_code": "T-9"})
    assert receiver.requests == []
    with in_tenant(tenant_a):
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.state == "failed" and delivery.attempts == 1
        assert delivery.next_attempt_at is None
        assert "https://" in delivery.last_error or "publik" in delivery.last_error
