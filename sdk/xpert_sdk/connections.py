"""`client.connections`: named model endpoints and MCP servers an org's xperts may use (admin keys only).

An xpert names one as `model={"connection": "deepseek"}` or `mcp=["github"]`. The list also shows the
server operator's connections (`scope: "server"`), which can be named but not changed. A secret
(`api_key` of a model, `headers` of an MCP server) is sent once and never returned: replies carry a hint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import Connection, ConnectionDeleted, ConnectionKind

__all__ = ["AsyncConnections", "Connections"]


def _list() -> Call:
    return Call("GET", "/connections")


def _get(name: str) -> Call:
    return Call("GET", path("/connections/{}", name))


def _create(
    name: str,
    kind: ConnectionKind,
    url: str,
    api_key: str | None,
    headers: Mapping[str, str] | None,
    models: Sequence[str] | None,
    transport: str | None,
    description: str | None,
) -> Call:
    body = {"name": name, "kind": kind, "url": url} | compact(
        api_key=api_key,
        headers=dict(headers) if headers is not None else None,
        models=list(models) if models is not None else None,
        transport=transport,
        description=description,
    )
    return Call("POST", "/connections", json=body, idempotent=False)


def _update(name: str, fields: dict[str, Any]) -> Call:
    return Call("PATCH", path("/connections/{}", name), json=fields)


def _delete(name: str) -> Call:
    return Call("DELETE", path("/connections/{}", name))


class Connections:
    """List, add, change and delete the org's connections."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def list(self) -> list[Connection]:
        """The org's connections and the server's.

        Example: ``names = [c["name"] for c in client.connections.list()]``
        """
        return cast(list[Connection], self._http.request(_list()))

    def get(self, name: str) -> Connection:
        """One connection, by name.

        Example: ``client.connections.get("deepseek")["models"]``
        """
        return cast(Connection, self._http.request(_get(name)))

    def create(
        self,
        name: str,
        kind: ConnectionKind,
        url: str,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        models: Sequence[str] | None = None,
        transport: str | None = None,
        description: str | None = None,
    ) -> Connection:
        """Add a model endpoint (`api_key`, `models`) or an MCP server over HTTP (`headers`, `transport`).

        Example: ``client.connections.create("deepseek", "model", "https://api.deepseek.com/v1",
        api_key=key, models=["deepseek-chat"])``
        """
        call = _create(name, kind, url, api_key, headers, models, transport, description)
        return cast(Connection, self._http.request(call))

    def update(self, name: str, **fields: Any) -> Connection:
        """Change `url`, `models`, `description`, `transport`, or give a new `api_key` / `headers`.

        Example: ``client.connections.update("deepseek", api_key=new_key)``
        """
        return cast(Connection, self._http.request(_update(name, fields)))

    def delete(self, name: str) -> ConnectionDeleted:
        """Delete a connection (refused with ConflictError while an xpert names it).

        Example: ``client.connections.delete("deepseek")``
        """
        return cast(ConnectionDeleted, self._http.request(_delete(name)))


class AsyncConnections:
    """List, add, change and delete the org's connections (asyncio)."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def list(self) -> list[Connection]:
        """The org's connections and the server's.

        Example: ``names = [c["name"] for c in await client.connections.list()]``
        """
        return cast(list[Connection], await self._http.request(_list()))

    async def get(self, name: str) -> Connection:
        """One connection, by name.

        Example: ``(await client.connections.get("deepseek"))["models"]``
        """
        return cast(Connection, await self._http.request(_get(name)))

    async def create(
        self,
        name: str,
        kind: ConnectionKind,
        url: str,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        models: Sequence[str] | None = None,
        transport: str | None = None,
        description: str | None = None,
    ) -> Connection:
        """Add a model endpoint (`api_key`, `models`) or an MCP server over HTTP (`headers`, `transport`).

        Example: ``await client.connections.create("deepseek", "model", "https://api.deepseek.com/v1",
        api_key=key, models=["deepseek-chat"])``
        """
        call = _create(name, kind, url, api_key, headers, models, transport, description)
        return cast(Connection, await self._http.request(call))

    async def update(self, name: str, **fields: Any) -> Connection:
        """Change `url`, `models`, `description`, `transport`, or give a new `api_key` / `headers`.

        Example: ``await client.connections.update("deepseek", api_key=new_key)``
        """
        return cast(Connection, await self._http.request(_update(name, fields)))

    async def delete(self, name: str) -> ConnectionDeleted:
        """Delete a connection (refused with ConflictError while an xpert names it).

        Example: ``await client.connections.delete("deepseek")``
        """
        return cast(ConnectionDeleted, await self._http.request(_delete(name)))
