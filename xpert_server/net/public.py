"""The public-address rule: a URL an API caller chose may reach only public addresses.

A URL's host is resolved first and refused when any answer is loopback, private, link-local, multicast,
reserved or unspecified (one private answer among public ones is enough: a resolver may pick either).
The connection then goes to the checked address itself (`pinned`: Host header and TLS SNI keep the name),
so a DNS answer that changes between the check and the connection ("rebinding") cannot redirect it.

The resolver is injectable (`Resolver`) so tests can make any name resolve anywhere without real DNS.
Users: the `http_get` tool (agents/tools/http.py) and org connections (net/guarded.py, connections/).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) → its addresses; raises AddressRefused when the name does not resolve.
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


class AddressRefused(Exception):
    """The URL may not be reached (scheme, credentials, a non-public address); the message says why."""


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` must not be reached, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_problem(ip.ipv4_mapped)
    checks = [
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (ip.is_unspecified, "an unspecified"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
        (not ip.is_global, "a non-public"),
    ]
    for bad, what in checks:
        if bad:
            return f"{ip} is {what} address"
    return None


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The host's addresses from the system's resolver (a literal address is its own answer)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise AddressRefused(f"cannot resolve {host!r}: {e.strerror}") from None
    out: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    if not out:
        raise AddressRefused(f"cannot resolve {host!r}")
    return out


def check_url_form(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL without credentials; AddressRefused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(f"only http and https URLs are allowed, not {parts.scheme or 'no scheme'!r}")
    host = parts.hostname
    if not host:
        raise AddressRefused(f"no host in {url!r}")
    if parts.username or parts.password:
        raise AddressRefused("URLs with credentials are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(f"invalid port in {url!r}") from None
    return host, port


async def checked_address(
    url: str, allow_private: bool, resolver: Resolver = system_resolver, hint: str = ""
) -> tuple[str, int, IPAddress]:
    """(host, port, address to connect to) for `url`, after the scheme and address checks.
    `hint`: what to do about a refusal, appended to its message."""
    host, port = check_url_form(url)
    addresses = await resolver(host, port)
    if not addresses:
        raise AddressRefused(f"cannot resolve {host!r}")
    if not allow_private:
        for ip in addresses:
            problem = address_problem(ip)
            if problem:
                shown = url.split("?", 1)[0]
                raise AddressRefused(f"refused {shown}: {problem}{f' ({hint})' if hint else ''}")
    return host, port, addresses[0]


def pinned(url: str, ip: IPAddress) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request URL with the checked address as host, the Host header, and the TLS server name."""
    parts = urlsplit(url)
    literal = f"[{ip}]" if isinstance(ip, ipaddress.IPv6Address) else str(ip)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    target = parts._replace(netloc=netloc).geturl()
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return target, {"Host": host_header}, extensions
