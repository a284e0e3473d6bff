"""Outbound HTTP to addresses that tenants type in (webhooks): never to an internal address.

A webhook URL is an SSRF vector: without checks, a tenant admin could make the platform post
to `https://169.254.169.254/` (cloud metadata), `https://10.0.0.1/`, `https://[::1]/` or
`https://localhost/`. So (issue 12 item 8):

* at registration, :func:`target_problem` refuses IP literals that are not global, names of the
  machine or the private network (`localhost`, `*.localhost`, `*.local`, `*.internal`,
  single-label names) and names that resolve to a non-global address;
* at delivery, :func:`post_json` resolves the name **once**, checks every address, and connects
  to the checked address itself (TLS still verifies the certificate against the name, SNI and
  `Host` carry the name), so a DNS answer that changes between check and connect (DNS
  rebinding) cannot reach an internal address. A refused target raises :class:`TargetRefused`,
  which callers treat as final (no retry).

`MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS` (development and tests only) lifts the address rules and
allows plain http.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class TargetRefused(Exception):
    """The target is not a public address (never retried)."""


def private_allowed() -> bool:
    return bool(getattr(settings, "MPP_WEBHOOK_ALLOW_PRIVATE_NETWORKS", False))


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_global and not address.is_multicast


def _name_is_internal(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(INTERNAL_SUFFIXES) or "." not in name


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (TCP); [] when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def target_problem(url: str) -> str | None:
    """Why `url` may not be a webhook target (Bahasa Indonesia), or None when it may.

    A name that does not resolve yet is accepted here; the delivery checks it again."""
    parts = urlsplit(url)
    schemes = {"https"} | ({"http"} if settings.DEBUG or private_allowed() else set())
    try:
        port = parts.port
    except ValueError:
        return _("Nomor port pada URL tidak valid.")
    if parts.scheme not in schemes or not parts.hostname:
        return _("URL harus https:// dengan nama host.")
    if parts.username or parts.password:
        return _("URL tidak boleh memuat nama pengguna atau kata sandi.")
    if private_allowed():
        return None
    host = parts.hostname
    address = _literal(host)
    if address is not None:
        return None if _is_public(address) else _(
            "Alamat %(host)s adalah alamat internal atau privat; webhook hanya boleh ke alamat "
            "publik."
        ) % {"host": host}
    if _name_is_internal(host):
        return _(
            "Nama host %(host)s menunjuk ke jaringan internal; gunakan nama domain publik."
        ) % {"host": host}
    addresses = resolve(host, port or 443)
    if any(not _is_public(ipaddress.ip_address(a)) for a in addresses):
        return _(
            "Nama host %(host)s mengarah ke alamat internal atau privat; webhook hanya boleh ke "
            "alamat publik."
        ) % {"host": host}
    return None


@dataclass(frozen=True)
class Response:
    status: int
    text: str


def checked_address(url: str) -> tuple[str, int, str]:
    """(host name, port, the one address to connect to). Raises TargetRefused."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    problem = target_problem(url)
    if problem:
        raise TargetRefused(problem)
    literal = _literal(host)
    addresses = [str(literal)] if literal is not None else resolve(host, port)
    if not addresses:
        raise TargetRefused(_("Nama host %(host)s tidak dapat ditemukan (DNS).") % {"host": host})
    if not private_allowed() and any(not _is_public(ipaddress.ip_address(a)) for a in addresses):
        raise TargetRefused(_("Alamat tujuan bukan alamat publik."))
    return host, port, addresses[0]


def post_json(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST `body` to `url` through the address checked here (no redirects, no retries).
    Raises TargetRefused, or urllib3's HTTPError subclasses on network failures."""
    import urllib3

    parts = urlsplit(url)
    host, port, address = checked_address(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    common = {"port": port, "timeout": urllib3.Timeout(total=timeout), "retries": False,
              "maxsize": 1}
    if parts.scheme == "https":
        import certifi

        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(), **common,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **common)
    try:
        answer = pool.urlopen("POST", path, body=body,
                              headers={**headers, "Host": host_header}, redirect=False,
                              preload_content=True)
    finally:
        pool.close()
    return Response(status=answer.status, text=answer.data.decode("utf-8", "replace"))
