from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    tenant = getattr(request, "tenant", None)
    is_tenant_host = tenant is not None and tenant.schema_name != "public"
    return {
        "current_tenant": tenant if is_tenant_host else None,
        "is_tenant_host": is_tenant_host,
        "base_domain": settings.MPP_BASE_DOMAIN,
        "platform_url": platform_url(),
    }


def platform_url(path: str = "/") -> str:
    port = f":{settings.MPP_BASE_PORT}" if settings.MPP_BASE_PORT else ""
    return f"{settings.MPP_BASE_SCHEME}://{settings.MPP_BASE_DOMAIN}{port}{path}"


def tenant_url(slug: str, path: str = "/") -> str:
    port = f":{settings.MPP_BASE_PORT}" if settings.MPP_BASE_PORT else ""
    return f"{settings.MPP_BASE_SCHEME}://{slug}.{settings.MPP_BASE_DOMAIN}{port}{path}"


# (urlconf, script prefix, groups) → the resolved links; the apps' lists are constants and the
# URLs do not depend on the language (no i18n_patterns), so they are resolved once per process
_nav_cache: dict[tuple[object, str, tuple[str, ...]], dict[str, object]] = {}


def navigation(request: HttpRequest) -> dict[str, object]:
    """Navigation links contributed by apps (`<app>.nav`), resolved for the current host.
    The labels stay lazy (translated when rendered); the URLs are resolved once per host
    kind (portal and back office on a tenant host, platform on the public one)."""
    from django.urls import get_script_prefix

    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {}
    groups = ("PORTAL", "BACKOFFICE") if tenant.schema_name != "public" else ("PLATFORM",)
    urlconf = getattr(request, "urlconf", None)
    key = (urlconf or settings.ROOT_URLCONF, get_script_prefix(), groups)
    result = _nav_cache.get(key)
    if result is None:
        result = _nav_cache[key] = _resolve_navigation(groups, urlconf)
    return result


def _resolve_navigation(groups: tuple[str, ...], urlconf: object) -> dict[str, object]:
    from django.urls import NoReverseMatch, reverse

    from core.discovery import collect

    result: dict[str, object] = {}
    for group in groups:
        items = []
        for _order, label, url_name in sorted(collect("nav", group), key=lambda item: item[0]):
            try:
                items.append({"label": label, "url": reverse(url_name, urlconf=urlconf)})
            except NoReverseMatch:
                continue
        result[f"nav_{group.lower()}"] = tuple(items)
    return result
