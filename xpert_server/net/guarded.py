"""An httpx transport that holds every request to the public-address rule (net/public.py).

Each request — the first and every redirect hop, whoever follows it (httpx, the OpenAI client, the MCP
client) — is resolved, checked and sent to the checked address itself, so neither a redirect nor a DNS
answer that changes after the check can reach a private address. Clients made here are what org
connections (connections/) talk through; `allow_private` is the operator's exception for one org.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from xpert_server.net.public import AddressRefused, Resolver, checked_address, pinned, system_resolver

HINT = "an org connection may reach public addresses only; the operator may allow private ones for this org"


class RefusedAddress(httpx.ConnectError):
    """A request the rule refused: an httpx error, so clients report it as a connection failure."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_private: bool = False
    resolver: Resolver = system_resolver

    async def check(self, url: str) -> None:
        """Raise AddressRefused unless `url` may be reached (what creating a connection checks)."""
        await checked_address(url, self.allow_private, self.resolver, HINT)


class GuardedTransport(httpx.AsyncBaseTransport):
    def __init__(self, policy: AddressPolicy, inner: httpx.AsyncBaseTransport | None = None):
        self.policy = policy
        self.inner = inner or httpx.AsyncHTTPTransport(trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        try:
            _host, _port, ip = await checked_address(
                url, self.policy.allow_private, self.policy.resolver, HINT
            )
        except AddressRefused as e:
            raise RefusedAddress(str(e), request=request) from None
        target, host, extensions = pinned(url, ip)
        headers = httpx.Headers(request.headers)
        headers["Host"] = host["Host"]
        sent = httpx.Request(
            request.method,
            target,
            headers=headers,
            stream=request.stream,
            extensions={**request.extensions, **extensions},
        )
        return await self.inner.handle_async_request(sent)

    async def aclose(self) -> None:
        await self.inner.aclose()


class AsyncOnlyTransport(httpx.BaseTransport):
    """The synchronous side of a guarded client: runs are asynchronous, so nothing should use it."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RefusedAddress("org connections are reached asynchronously only", request=request)


def guarded_client(policy: AddressPolicy, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx.AsyncClient whose every request and redirect hop is checked (`trust_env=False`: no proxy
    from the environment may carry it elsewhere)."""
    return httpx.AsyncClient(transport=GuardedTransport(policy), trust_env=False, **kwargs)


def sync_refusing_client() -> httpx.Client:
    return httpx.Client(transport=AsyncOnlyTransport(), trust_env=False)
