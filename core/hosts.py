"""The one spelling of a request's host name: host names are case-insensitive and may end with
a dot (RFC 1034 §3.1, RFC 3986 §3.2.2), so `KOTA-BANDUNG.LOCALHOST` and
`kota-bandung.localhost.` are the same host as `kota-bandung.localhost`."""

from __future__ import annotations

from django.http import HttpRequest


def canonical_hostname(request: HttpRequest) -> str:
    """The request's host without port, lower-case, without a trailing dot. Raises
    DisallowedHost (from `request.get_host()`) for a host outside ALLOWED_HOSTS."""
    host = request.get_host()
    if host.startswith("["):  # IPv6 literal, maybe with a port
        host = host[: host.index("]") + 1]
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host.lower().rstrip(".")
