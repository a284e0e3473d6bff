"""Constants of the integrations app: OIDC scopes and claims, status-push headers, webhook
events and retry limits. The OpenID Connect provider (django-oauth-toolkit, `oauth2_provider`
in INSTALLED_APPS) is always installed (docs/adr/0004)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Scopes an OPD application may be granted; "nik" only when the tenant admin allows it.
SCOPE_OPENID = "openid"
SCOPE_NIK = "nik"
SCOPE_STATUS_WRITE = "status:write"
SCOPES: dict[str, object] = {
    "openid": _("Identitas pairwise Anda untuk aplikasi ini (bukan NIK)"),
    "profile": _("Nama lengkap"),
    "email": _("Alamat email dan status verifikasinya"),
    "phone": _("Nomor ponsel dan status verifikasinya"),
    "nik": _("Nomor Induk Kependudukan (NIK)"),
    "status:write": _("Melaporkan status permohonan ke MPP Digital (sistem ke sistem)"),
}
USER_SCOPES = ("openid", "profile", "email", "phone", "nik")
DEFAULT_SCOPES = ("openid", "profile", "email", "status:write")

# Claims released per scope (the consent screen lists exactly these).
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name",),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "nik": ("nik",),
}

# Status push (inbound): a signed request older than this is refused.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60
HEADER_TIMESTAMP = "X-MPP-Timestamp"
HEADER_SIGNATURE = "X-MPP-Signature"
HEADER_EVENT = "X-MPP-Event"
HEADER_DELIVERY = "X-MPP-Delivery"

# Outbound webhooks.
EVENT_APPLICATION_SUBMITTED = "application.submitted"
EVENT_APPLICATION_STATUS_CHANGED = "application.status_changed"
EVENT_SLA_BREACHED = "sla.breached"
EVENT_COMPLAINT_FILED = "complaint.filed"
EVENT_PING = "ping"
WEBHOOK_EVENTS: dict[str, object] = {
    EVENT_APPLICATION_SUBMITTED: _("Permohonan diajukan"),
    EVENT_APPLICATION_STATUS_CHANGED: _("Status permohonan berubah"),
    EVENT_SLA_BREACHED: _("SLA terlewati"),
    EVENT_COMPLAINT_FILED: _("Pengaduan diajukan"),
}
WEBHOOK_MAX_ATTEMPTS = 6  # 1 + 5 retries: 30 s, 1 min, 2 min, 4 min, 8 min (+ jitter)
WEBHOOK_BACKOFF_BASE_SECONDS = 30
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_BODY_EXCERPT = 500


def webhook_disable_after() -> int:
    return int(getattr(settings, "MPP_WEBHOOK_DISABLE_AFTER", 10))
