"""MCP servers declared in an xpert's YAML, as LangChain tools (langchain-mcp-adapters).

Listing a server's tools starts it (stdio) or connects to it (streamable HTTP, SSE), so the list is kept
per assistant version unless the server says `cache: false`. Every tool call opens its own session,
which keeps stdio servers stateless and lets runs call tools concurrently.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool

from xpert_server.agents.definition import McpServerSpec

# Starting a stdio server (a Python process importing its SDK) takes a second or two.
LIST_TIMEOUT = 60.0


class McpError(RuntimeError):
    """A declared MCP server could not be reached or listed."""


@dataclass(frozen=True)
class McpTool:
    server: McpServerSpec
    tool: BaseTool

    @property
    def approval(self) -> bool:
        ra = self.server.require_approval
        return ra if isinstance(ra, bool) else self.tool.name in ra

    @property
    def title(self) -> str:
        # The adapters put the MCP tool's annotations (title, hints) in `metadata`.
        title = (self.tool.metadata or {}).get("title")
        return str(title or self.tool.name)


def connection(server: McpServerSpec, client_factory: Any = None) -> dict[str, Any]:
    """The adapters' connection dict for one server. `client_factory`: the httpx client maker of an org
    connection, which holds every request to the public-address rule (net/guarded.py)."""
    if server.transport == "stdio":
        conn: dict[str, Any] = {"transport": "stdio", "command": server.command, "args": list(server.args)}
        if server.env:
            conn["env"] = dict(server.env)
        return conn
    transport = "streamable_http" if server.transport in ("http", "streamable_http") else "sse"
    conn = {"transport": transport, "url": server.url}
    if server.headers:
        conn["headers"] = dict(server.headers)
    if client_factory is not None:
        conn["httpx_client_factory"] = client_factory
    return conn


async def list_server_tools(server: McpServerSpec, client_factory: Any = None) -> list[McpTool]:
    try:
        from langchain_mcp_adapters.client import MultiServerMCPClient
    except ImportError as e:  # pragma: no cover - a declared dependency
        raise McpError("MCP servers need `langchain-mcp-adapters`: pip install langchain-mcp-adapters") from e
    client = MultiServerMCPClient({server.name: connection(server, client_factory)})  # type: ignore[dict-item]
    named = f"MCP server {server.name!r} ({where(server)})"
    try:
        async with asyncio.timeout(LIST_TIMEOUT):
            tools = await client.get_tools(server_name=server.name)
    except TimeoutError:
        raise McpError(f"{named}: no tool list within {LIST_TIMEOUT:g} s") from None
    except Exception as e:  # process, network and protocol errors all mean "unusable"
        raise McpError(f"{named}: cannot list its tools: {_reason(e)}") from e
    return [McpTool(server, t) for t in tools]


def where(server: McpServerSpec) -> str:
    """What an operator needs to find the server: its URL (without query), or the command it runs."""
    if server.transport == "stdio":
        return f"command {server.command!r}"
    return f"at {str(server.url or '').split('?', 1)[0]}"


def _reason(e: BaseException) -> str:
    # anyio wraps failures of a task group in an ExceptionGroup: the first leaf says what happened.
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


class McpTools:
    """The MCP tools of one xpert; cached per server unless that server says `cache: false`."""

    def __init__(self, servers: list[McpServerSpec], factories: dict[str, Any] | None = None):
        self.servers = servers
        self.factories = factories or {}
        self._cached: dict[str, list[McpTool]] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> list[McpTool]:
        out: list[McpTool] = []
        for server in self.servers:
            if server.cache:
                async with self._lock:
                    if server.name not in self._cached:
                        self._cached[server.name] = await list_server_tools(
                            server, self.factories.get(server.name)
                        )
                out.extend(self._cached[server.name])
            else:
                out.extend(await list_server_tools(server, self.factories.get(server.name)))
        return out
