"""Pages of the integrations app: the tenant admin's back office (/kelola/integrasi/), the
citizen's hand-off to an OPD application (/layanan/<code>/buka/) and open data on the platform
host (/data-terbuka/)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.selectors import is_tenant_admin
from core.errors import ApplicationError

from . import selectors, services
from .conf import SCOPES, WEBHOOK_EVENTS
from .forms import OidcClientEditForm, OidcClientForm, WebhookForm
from .opendata import FIELDS, MAX_MONTHS, kpi_csv, kpi_rows

SECRETS_SESSION_KEY = "_integrations_secrets"


def _admin(request: HttpRequest) -> None:
    if not is_tenant_admin(user=request.user):
        raise PermissionDenied(_("Hanya admin tenant yang boleh mengelola integrasi."))


def _get_or_404(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


def _form_errors(form: Any, exc: ApplicationError) -> None:
    fields = exc.extra.get("fields") if isinstance(exc.extra, dict) else None
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, errors in fields.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _show_secrets_once(request: HttpRequest, payload: dict[str, str]) -> None:
    request.session[SECRETS_SESSION_KEY] = payload


def _pop_secrets(request: HttpRequest) -> dict[str, str] | None:
    return request.session.pop(SECRETS_SESSION_KEY, None)


# --------------------------------------------------------------------------- back office


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _admin(request)
    from .keys import signing_key_current

    signing_key_current()
    response = render(request, "integrations/manage.html", {
        "clients": list(selectors.oidc_clients()),
        "endpoints": list(selectors.webhook_endpoints()),
        "keys": list(selectors.signing_keys()[:5]),
        "status_events": selectors.status_events_recent(limit=20),
        "secrets": _pop_secrets(request),
        "issuer": request.build_absolute_uri("/o"),
        "scopes": SCOPES,
        "events": WEBHOOK_EVENTS,
    })
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = OidcClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from agencies.models import Agency

        data = form.cleaned_data
        try:
            client, secrets = services.oidc_client_register(
                name=data["name"], agency=Agency.objects.get(code=data["agency"]),
                redirect_uris=data["redirect_uris"],
                allowed_scopes=["openid", *data["allowed_scopes"]],
                initiate_login_uri=data.get("initiate_login_uri") or "", actor=request.user,
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            _show_secrets_once(request, {
                "title": client.name, "client_id": client.client_id,
                "client_secret": secrets.client_secret,
                "signing_secret": secrets.signing_secret,
            })
            messages.success(request, _("Aplikasi OPD terdaftar. Salin rahasianya sekarang."))
            return redirect("integrations:manage")
    return render(request, "integrations/client_form.html", {"form": form, "client": None})


@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, client_id: str) -> HttpResponse:
    _admin(request)
    client = _get_or_404(selectors.oidc_client_get, client_id=client_id)
    initial = {
        "name": client.name, "redirect_uris": "\n".join(client.redirect_uris.split()),
        "initiate_login_uri": client.initiate_login_uri, "is_active": client.is_active,
        "allowed_scopes": [s for s in client.allowed_scopes if s != "openid"],
    }
    form = OidcClientEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.oidc_client_update(
                client=client, name=data["name"], redirect_uris=data["redirect_uris"],
                allowed_scopes=["openid", *data["allowed_scopes"]],
                initiate_login_uri=data.get("initiate_login_uri") or "",
                is_active=data["is_active"], actor=request.user,
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Aplikasi OPD diperbarui."))
            return redirect("integrations:manage")
    return render(request, "integrations/client_form.html", {"form": form, "client": client})


@require_POST
def client_rotate(request: HttpRequest, client_id: str) -> HttpResponse:
    _admin(request)
    client = _get_or_404(selectors.oidc_client_get, client_id=client_id)
    secrets = services.oidc_client_rotate_secrets(client=client, actor=request.user)
    _show_secrets_once(request, {
        "title": client.name, "client_id": client.client_id,
        "client_secret": secrets.client_secret, "signing_secret": secrets.signing_secret,
    })
    messages.success(request, _("Rahasia baru dibuat; rahasia lama tidak berlaku lagi."))
    return redirect("integrations:manage")


@require_POST
def client_delete(request: HttpRequest, client_id: str) -> HttpResponse:
    _admin(request)
    client = _get_or_404(selectors.oidc_client_get, client_id=client_id)
    services.oidc_client_delete(client=client, actor=request.user)
    messages.success(request, _("Aplikasi OPD dihapus."))
    return redirect("integrations:manage")


@require_POST
def keys_rotate(request: HttpRequest) -> HttpResponse:
    _admin(request)
    from .keys import signing_key_rotate

    key = signing_key_rotate(actor=request.user)
    messages.success(request, _("Kunci penandatangan baru aktif: %(kid)s.") % {"kid": key.kid})
    return redirect("integrations:manage")


@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from agencies.models import Agency

        data = form.cleaned_data
        agency = Agency.objects.filter(code=data["agency"]).first() if data["agency"] else None
        try:
            endpoint, secret = services.webhook_endpoint_create(
                name=data["name"], url=data["url"], events=data["events"], agency=agency,
                actor=request.user,
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            _show_secrets_once(request, {"title": endpoint.name, "webhook_secret": secret})
            messages.success(request, _("Webhook dibuat. Salin rahasianya sekarang."))
            return redirect("integrations:manage")
    return render(request, "integrations/webhook_form.html", {"form": form})


@require_GET
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    _admin(request)
    endpoint = _get_or_404(selectors.webhook_endpoint_get, endpoint_id=endpoint_id)
    deliveries = list(selectors.webhook_deliveries(endpoint=endpoint)[:50])
    return render(request, "integrations/webhook_detail.html", {
        "endpoint": endpoint, "deliveries": deliveries, "events": WEBHOOK_EVENTS,
    })


@require_POST
def webhook_action(request: HttpRequest, endpoint_id: int, action: str) -> HttpResponse:
    _admin(request)
    endpoint = _get_or_404(selectors.webhook_endpoint_get, endpoint_id=endpoint_id)
    if action == "enable":
        services.webhook_endpoint_update(endpoint=endpoint, is_active=True, actor=request.user)
        messages.success(request, _("Webhook diaktifkan kembali."))
    elif action == "disable":
        services.webhook_endpoint_update(endpoint=endpoint, is_active=False, actor=request.user)
        messages.success(request, _("Webhook dinonaktifkan."))
    elif action == "ping":
        services.webhook_ping(endpoint=endpoint, actor=request.user)
        messages.success(request, _("Peristiwa uji dikirim."))
    elif action == "delete":
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, _("Webhook dihapus."))
        return redirect("integrations:manage")
    else:
        raise Http404
    return redirect("integrations:webhook", endpoint_id=endpoint.pk)


@require_POST
def webhook_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _admin(request)
    delivery = _get_or_404(selectors.webhook_delivery_get, delivery_id=delivery_id)
    services.webhook_redeliver(delivery=delivery, actor=request.user)
    messages.success(request, _("Peristiwa dikirim ulang."))
    return redirect("integrations:webhook", endpoint_id=delivery.endpoint_id)


# --------------------------------------------------------------------------- citizen hand-off


@login_required
@require_http_methods(["GET", "POST"])
def external_open(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what will happen; POST: record the application and go to the OPD application."""
    from services.models import Offering
    from services.selectors import offering_by_code

    try:
        offering = offering_by_code(code, enabled_only=True)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    if offering.channel != Offering.Channel.EXTERNAL:
        raise Http404(_("Layanan ini tidak dilayani melalui aplikasi OPD."))
    if request.method == "GET":
        return render(request, "integrations/external_open.html", {"offering": offering})
    try:
        result = services.external_application_open(
            applicant=request.user, offering=offering,
            host_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "integrations/external_open.html", {"offering": offering},
                      status=exc.status)
    return HttpResponseRedirect(result.redirect_url)


# --------------------------------------------------------------------------- open data


def _public_only() -> None:
    if connection.schema_name != "public":
        raise Http404


def _months(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("bulan", 12)), MAX_MONTHS))
    except (TypeError, ValueError):
        return 12


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    _public_only()
    months = _months(request)
    return render(request, "integrations/open_data.html", {
        "rows": kpi_rows(months=months), "fields": FIELDS, "months": months,
    })


@require_GET
def open_data_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _public_only()
    rows = kpi_rows(months=_months(request))
    if fmt == "csv":
        response = HttpResponse(kpi_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mpp-kpi-tenant.csv"'
    elif fmt == "json":
        body = {"license": "CC BY 4.0", "fields": FIELDS, "rows": [
            {**row, "sla_compliance_pct": None if row["sla_compliance_pct"] is None
             else float(row["sla_compliance_pct"])} for row in rows
        ]}
        response = HttpResponse(json.dumps(body, default=str), content_type="application/json")
    else:
        raise Http404
    response["Access-Control-Allow-Origin"] = "*"
    return response
