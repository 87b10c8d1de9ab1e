"""The `http_get` tool, guarded against SSRF.

Every hop (the URL and each redirect) is resolved first and refused when any address is loopback,
private, link-local, multicast, reserved or unspecified, unless the tool's config says `allow_private`.
The request then goes to the checked address itself (Host header and TLS SNI keep the name), so a DNS
answer that changes between the check and the connection ("rebinding") cannot redirect it. Bodies are
read up to `max_bytes` and the whole fetch is bounded by `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

MAX_REDIRECTS = 5
# What the model gets back: enough for a page's text, small enough for its context.
MAX_OUTPUT_CHARS = 20_000
USER_AGENT = "xpert-server http_get"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HttpGetConfig(BaseModel):
    """`config:` of the http_get tool in an xpert's YAML."""

    model_config = ConfigDict(extra="forbid")
    allow_private: bool = False
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_bytes: int = Field(default=1_000_000, gt=0, le=20_000_000)


class FetchRefused(Exception):
    """The URL is not allowed (scheme, address) or the fetch failed; the message says why."""


@dataclass
class Fetched:
    url: str
    status: int
    reason: str
    content_type: str
    text: str
    truncated: bool


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched, or None when it is a public address."""
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


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise FetchRefused(f"cannot resolve {host!r}: {e.strerror}") from None
    out: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    if not out:
        raise FetchRefused(f"cannot resolve {host!r}")
    return out


async def checked_address(url: str, allow_private: bool) -> tuple[str, int, IPAddress]:
    """(host, port, address to connect to) for `url`, after the scheme and address checks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs are allowed, not {parts.scheme or 'no scheme'!r}")
    host = parts.hostname
    if not host:
        raise FetchRefused(f"no host in {url!r}")
    if parts.username or parts.password:
        raise FetchRefused("URLs with credentials are not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    if not allow_private:
        # Every answer must be public: a name that resolves to one public and one private address is refused.
        for ip in addresses:
            problem = address_problem(ip)
            if problem:
                raise FetchRefused(
                    f"refused {url}: {problem} (set `allow_private: true` in the http_get tool's config to allow it)"
                )
    return host, port, addresses[0]


def _pinned(url: str, ip: IPAddress) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The request URL with the checked address as host, the Host header, and the TLS server name."""
    parts = urlsplit(url)
    literal = f"[{ip}]" if isinstance(ip, ipaddress.IPv6Address) else str(ip)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = parts._replace(netloc=netloc).geturl()
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return pinned, {"Host": host_header}, extensions


async def fetch(url: str, config: HttpGetConfig, client: httpx.AsyncClient | None = None) -> Fetched:
    """GET `url` with the checks above; raises FetchRefused."""
    try:
        async with asyncio.timeout(config.timeout):
            if client is not None:
                return await _follow(url, config, client)
            async with httpx.AsyncClient(
                follow_redirects=False, trust_env=False, timeout=config.timeout
            ) as c:
                return await _follow(url, config, c)
    except TimeoutError:
        raise FetchRefused(f"{url} did not answer within {config.timeout:g} s") from None
    except httpx.HTTPError as e:
        raise FetchRefused(f"fetching {url} failed: {type(e).__name__}: {e}") from None


async def _follow(url: str, config: HttpGetConfig, client: httpx.AsyncClient) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        _host, _port, ip = await checked_address(url, config.allow_private)
        target, headers, extensions = _pinned(url, ip)
        request = client.build_request(
            "GET", target, headers={**headers, "User-Agent": USER_AGENT}, extensions=extensions
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = urljoin(url, location)  # the next hop is checked again at the top of the loop
                continue
            body, truncated = await _read(response, config.max_bytes)
        finally:
            await response.aclose()
        return Fetched(
            url=url,
            status=response.status_code,
            reason=response.reason_phrase,
            content_type=response.headers.get("content-type", ""),
            text=_decode(body, response),
            truncated=truncated,
        )
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


async def _read(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _decode(body: bytes, response: httpx.Response) -> str:
    text = body.decode(response.charset_encoding or "utf-8", errors="replace")
    if "html" in response.headers.get("content-type", ""):
        from bs4 import BeautifulSoup  # only for HTML pages

        text = BeautifulSoup(text, "html.parser").get_text("\n", strip=True)
    return text


def describe(result: Fetched) -> str:
    """The tool's output: status line, content type, then the (text of the) body."""
    text = result.text
    note = ""
    if result.truncated or len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS]
        note = "\n[… truncated]"
    return f"HTTP {result.status} {result.reason}\nURL: {result.url}\nContent-Type: {result.content_type}\n\n{text}{note}"
