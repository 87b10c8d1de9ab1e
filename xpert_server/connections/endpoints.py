"""A connection as a run uses it: where, with which secret, under which address policy.

`policy` is None for the operator's connections (trusted) and for orgs the operator allows private
addresses; otherwise every request to the endpoint goes through net/guarded.py's transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from xpert_server.agents.definition import McpServerSpec
from xpert_server.net.guarded import AddressPolicy, guarded_client, sync_refusing_client

Scope = Literal["server", "org"]


@dataclass(frozen=True)
class ModelEndpoint:
    name: str
    scope: Scope
    base_url: str | None
    api_key: str | None = field(repr=False)
    models: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    policy: AddressPolicy | None = None

    def client_options(self) -> dict[str, Any]:
        """ChatOpenAI keyword arguments that route its requests through the policy's guard."""
        if self.policy is None:
            return {}
        return {"http_async_client": guarded_client(self.policy), "http_client": sync_refusing_client()}


@dataclass(frozen=True)
class McpEndpoint:
    name: str
    scope: Scope
    transport: Literal["stdio", "http", "streamable_http", "sse"]
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict, repr=False)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    require_approval: bool | list[str] = False
    policy: AddressPolicy | None = None

    def server_spec(self, item: McpServerSpec) -> McpServerSpec:
        """The xpert's `mcp:` entry naming this connection, as the concrete server it stands for."""
        approval = item.require_approval or self.require_approval
        return McpServerSpec(
            name=item.name,
            transport=self.transport,
            command=self.command,
            args=list(self.args),
            env=dict(self.env),
            url=self.url,
            headers=dict(self.headers),
            require_approval=approval,
            cache=item.cache,
        )

    def client_factory(self) -> Any:
        """The MCP client's httpx factory for this endpoint, or None for the default (trusted) one."""
        policy = self.policy
        if policy is None:
            return None

        def factory(
            headers: dict[str, str] | None = None,
            timeout: httpx.Timeout | None = None,
            auth: httpx.Auth | None = None,
        ) -> httpx.AsyncClient:
            kwargs: dict[str, Any] = {"timeout": timeout or httpx.Timeout(30.0, read=300.0)}
            if headers is not None:
                kwargs["headers"] = headers
            if auth is not None:
                kwargs["auth"] = auth
            return guarded_client(policy, **kwargs)

        return factory


@dataclass(frozen=True)
class Resolved:
    """The connections one xpert names, resolved; `fingerprint` changes when any of them changes."""

    models: dict[str, ModelEndpoint] = field(default_factory=dict)
    mcp: dict[str, McpEndpoint] = field(default_factory=dict)
    fingerprint: tuple[tuple[str, str, float], ...] = ()
