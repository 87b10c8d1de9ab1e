"""The `http_get` tool, guarded against SSRF.

Every hop (the URL and each redirect) is held to the public-address rule (net/public.py) unless the
tool's config says `allow_private`, and the request goes to the checked address itself. Bodies are
read up to `max_bytes` and the whole fetch is bounded by `timeout` seconds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
from pydantic import BaseModel, ConfigDict, Field

from xpert_server.net import public
from xpert_server.net.public import IPAddress, address_problem, pinned
from xpert_server.net.public import system_resolver as resolve

MAX_REDIRECTS = 5
# What the model gets back: enough for a page's text, small enough for its context.
MAX_OUTPUT_CHARS = 20_000
USER_AGENT = "xpert-server http_get"

HINT = "set `allow_private: true` in the http_get tool's config to allow it"
__all__ = [
    "FetchRefused",
    "HttpGetConfig",
    "address_problem",
    "checked_address",
    "describe",
    "fetch",
    "resolve",
]


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


async def checked_address(url: str, allow_private: bool) -> tuple[str, int, IPAddress]:
    """(host, port, address to connect to) for `url`: the public-address rule (net/public.py), with the
    resolver looked up here at each call."""
    try:
        return await public.checked_address(url, allow_private, resolve, HINT)
    except public.AddressRefused as e:
        raise FetchRefused(str(e)) from None


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
        target, headers, extensions = pinned(url, ip)
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
