"""Audit log pages: /kelola/audit/ (tenant admins: their tenant) and /kementerian/audit/
(the ministry: every tenant and the platform)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.access import tenant_admin_required
from monitoring.permissions import ministry_required
from tenants.models import Tenant

from .selectors import AuditFilters, audit_events, change_lines

PAGE_SIZE = 50


def _page(request: HttpRequest, filters: AuditFilters, *, tenant_schema: str | None):
    page = Paginator(audit_events(filters=filters, tenant_schema=tenant_schema), PAGE_SIZE) \
        .get_page(request.GET.get("page"))
    for event in page.object_list:
        event.change_lines = change_lines(event)
    return page


@require_GET
@tenant_admin_required()
def tenant_log(request: HttpRequest) -> HttpResponse:
    filters = AuditFilters.from_query(request.GET)
    page = _page(request, filters, tenant_schema=connection.schema_name)
    return render(request, "audit/log.html", {
        "page": page, "filters": filters, "ministry": False,
        "query": urlencode(filters.as_query(with_tenant=False)),
    })


@require_GET
@ministry_required
def platform_log(request: HttpRequest) -> HttpResponse:
    filters = AuditFilters.from_query(request.GET)
    page = _page(request, filters, tenant_schema=None)
    tenants = list(
        Tenant.objects.exclude(schema_name="public").order_by("name")
        .values_list("schema_name", "name")
    )
    names = dict(tenants)
    for event in page.object_list:
        event.tenant_name = names.get(event.tenant_schema, event.tenant_schema)
    return render(request, "audit/log.html", {
        "page": page, "filters": filters, "ministry": True, "tenant_choices": tenants,
        "query": urlencode(filters.as_query(with_tenant=True)),
    })
