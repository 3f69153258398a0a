"""Network addresses: the client's IP behind our proxies, and which addresses the
platform may call out to (webhooks, provider APIs) without reaching its own network."""

from __future__ import annotations

import socket
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from requests import PreparedRequest
from requests.adapters import HTTPAdapter

IPAddress = IPv4Address | IPv6Address
NAT64_PREFIX = ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with ``LOANHUB_TRUSTED_PROXY_COUNT = n`` the n-th address from
    the right of X-Forwarded-For (the one our own proxy saw). Entries further left
    are client-supplied and never trusted."""
    proxies = getattr(settings, "LOANHUB_TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ip_address(candidate)) if candidate else None
    except ValueError:
        return None


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in NAT64_PREFIX:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_is_public(ip: str | IPAddress) -> bool:
    """True only for a globally routable unicast address.

    Refused: private (10/8, 172.16/12, 192.168/16, IPv6 ULA fc00::/7), loopback,
    link-local (169.254/16 with the cloud metadata service, fe80::/10), shared
    address space 100.64/10 (Alibaba Cloud's metadata is 100.100.100.200),
    multicast, reserved, unspecified, documentation and benchmarking ranges; an
    IPv6 address that embeds an IPv4 one (::ffff:a.b.c.d, 6to4, NAT64) is judged
    by that IPv4 address. Anything that does not parse is not public.
    """
    try:
        addr = ip_address(ip) if isinstance(ip, str) else ip
    except ValueError:
        return False
    if isinstance(addr, IPv6Address) and (embedded := _embedded_ipv4(addr)) is not None:
        return address_is_public(embedded)
    refused = (
        addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
        or addr.is_reserved or addr.is_unspecified
    )  # fmt: skip
    return addr.is_global and not refused


def host_addresses(host: str, port: int | None = None) -> list[str]:
    """Every address ``host`` resolves to (a literal IP resolves to itself), in the
    resolver's order, without duplicates. Raises ``OSError`` (``socket.gaierror``)
    when the name does not resolve, ``UnicodeError`` for a name IDNA cannot encode."""
    try:
        return [str(ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PinnedAddressAdapter(HTTPAdapter):
    """A requests adapter that connects to one address checked beforehand instead of
    resolving the URL's host again (a second lookup could answer differently: DNS
    rebinding). The Host header stays the URL's host, and TLS still sends it (SNI)
    and verifies the certificate against it, exactly as without pinning.

    Mount it on a fresh ``requests.Session`` for one request to one host.
    """

    def __init__(self, address: str, **kwargs: Any) -> None:
        self.address = str(ip_address(address))
        super().__init__(**kwargs)

    def build_connection_pool_key_attributes(
        self, request: PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host_params["host"]
        host_params["host"] = self.address
        return host_params, pool_kwargs

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        netloc = urlsplit(str(request.url)).netloc.rpartition("@")[2]
        request.headers.setdefault("Host", netloc)
