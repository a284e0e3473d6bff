"""Host → tenant routing. Unknown hosts and tenants that are not ready get a plain 404."""

from __future__ import annotations

import copy

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from core.hosts import canonical_hostname
from core.views import api_error, is_api_request

from . import routing
from .models import Tenant


class TenantRoutingMiddleware(TenantMainMiddleware):
    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        return remove_www(canonical_hostname(request))

    def get_tenant(self, domain_model, hostname: str) -> Tenant:
        tenant = routing.kept(hostname)
        if tenant is None:
            tenant = super().get_tenant(domain_model, hostname)
            routing.keep(hostname, tenant)
        if not tenant.is_routable:
            raise domain_model.DoesNotExist(hostname)
        # each request gets its own instance: nothing one request sets on it reaches another
        return copy.copy(tenant)

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        if is_api_request(request):
            return api_error("unknown_host", _("Tidak ada MPP Digital di alamat ini."), 404)
        return HttpResponseNotFound(render_to_string("errors/unknown_host.html"))

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = super().process_request(request)
        if response is not None:
            return response
        tenant: Tenant = request.tenant
        timezone.activate(tenant.timezone or "Asia/Jakarta")
        if tenant.state == Tenant.State.SUSPENDED and not request.path.startswith("/admin/"):
            if is_api_request(request):
                return api_error("tenant_suspended", _(
                    "Layanan MPP Digital daerah ini sedang ditangguhkan sementara."
                ), 503, **{"Retry-After": "3600"})
            html = render_to_string("errors/maintenance.html", {"tenant": tenant})
            return HttpResponse(html, status=503, headers={"Retry-After": "3600"})
        return None
