"""`client.assistants`: xperts (an assistant id *is* an xpert id)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import (
    Assistant,
    AssistantDeleted,
    AssistantVersion,
    GraphSchema,
    IfExists,
    RuntimeCapabilities,
    SortOrder,
)

__all__ = ["Assistants", "AsyncAssistants"]


def _search(
    metadata: Mapping[str, Any] | None,
    graph_id: str | None,
    limit: int,
    offset: int,
    sort_by: str | None,
    sort_order: SortOrder | None,
) -> Call:
    body = compact(
        metadata=metadata,
        graph_id=graph_id,
        limit=limit,
        offset=offset,
        sort_by=sort_by,
        sort_order=sort_order,
    )
    return Call("POST", "/assistants/search", json=body)


def _count(metadata: Mapping[str, Any] | None, graph_id: str | None) -> Call:
    return Call("POST", "/assistants/count", json=compact(metadata=metadata, graph_id=graph_id))


def _get(assistant_id: str) -> Call:
    return Call("GET", path("/assistants/{}", assistant_id))


def _create(name: str, **fields: Any) -> Call:
    return Call("POST", "/assistants", json=compact(name=name, **fields), idempotent=False)


def _update(assistant_id: str, fields: dict[str, Any]) -> Call:
    return Call("PATCH", path("/assistants/{}", assistant_id), json=fields)


def _delete(assistant_id: str) -> Call:
    return Call("DELETE", path("/assistants/{}", assistant_id))


def _get_versions(assistant_id: str, limit: int, offset: int) -> Call:
    body = {"limit": limit, "offset": offset}
    return Call("POST", path("/assistants/{}/versions", assistant_id), json=body)


def _get_runtime_capabilities(assistant_id: str) -> Call:
    return Call("GET", path("/assistants/{}/runtime-capabilities", assistant_id))


def _get_subgraphs(assistant_id: str, namespace: str | None, recurse: bool) -> Call:
    where = (
        path("/assistants/{}/subgraphs", assistant_id)
        if namespace is None
        else path("/assistants/{}/subgraphs/{}", assistant_id, namespace)
    )
    return Call("GET", where, params={"recurse": "true" if recurse else "false"})


class Assistants:
    """Find and manage xperts."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def search(
        self,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
    ) -> list[Assistant]:
        """Published xperts whose metadata matches every given key.

        Example: ``[xpert] = client.assistants.search(limit=1, metadata={"slug": "support"})``
        """
        call = _search(metadata, graph_id, limit, offset, sort_by, sort_order)
        return cast(list[Assistant], self._http.request(call))

    def count(self, metadata: Mapping[str, Any] | None = None, graph_id: str | None = None) -> int:
        """How many xperts match.

        Example: ``n = client.assistants.count(metadata={"type": "agent"})``
        """
        return cast(int, self._http.request(_count(metadata, graph_id)))

    def get(self, assistant_id: str) -> Assistant:
        """One xpert by id.

        Example: ``xpert = client.assistants.get(xpert_id)``
        """
        return cast(Assistant, self._http.request(_get(assistant_id)))

    def create(
        self,
        name: str,
        *,
        slug: str | None = None,
        description: str | None = None,
        config: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        definition: Mapping[str, Any] | None = None,
        assistant_id: str | None = None,
        if_exists: IfExists | None = None,
    ) -> Assistant:
        """Create an xpert (beyond XpertAI: its own server lacks this route).

        Example: ``xpert = client.assistants.create("Support", slug="support", definition=spec)``
        """
        call = _create(
            name,
            slug=slug,
            description=description,
            config=config,
            metadata=metadata,
            definition=definition,
            assistant_id=assistant_id,
            if_exists=if_exists,
        )
        return cast(Assistant, self._http.request(call))

    def update(self, assistant_id: str, **fields: Any) -> Assistant:
        """Change an xpert's fields.

        Example: ``client.assistants.update(xpert_id, description="Answers billing questions")``
        """
        return cast(Assistant, self._http.request(_update(assistant_id, fields)))

    def delete(self, assistant_id: str) -> AssistantDeleted:
        """Delete an xpert: ``{"success": True, "assistant_id": …}``.

        Example: ``client.assistants.delete(xpert_id)``
        """
        return cast(AssistantDeleted, self._http.request(_delete(assistant_id)))

    def get_versions(self, assistant_id: str, limit: int = 10, offset: int = 0) -> list[AssistantVersion]:
        """An xpert's published versions, newest first, each with its `definition`.

        Example: ``versions = client.assistants.get_versions(xpert_id, limit=5)``
        """
        return cast(list[AssistantVersion], self._http.request(_get_versions(assistant_id, limit, offset)))

    def get_runtime_capabilities(self, assistant_id: str) -> RuntimeCapabilities:
        """The skills, plugins and sub-agents an xpert can use at run time.

        Example: ``caps = client.assistants.get_runtime_capabilities(xpert_id)``
        """
        return cast(RuntimeCapabilities, self._http.request(_get_runtime_capabilities(assistant_id)))

    def get_subgraphs(
        self, assistant_id: str, namespace: str | None = None, recurse: bool = False
    ) -> dict[str, GraphSchema]:
        """The subgraphs of an xpert's graph (at `namespace`, e.g. ``"parent|child"``; nested ones too with
        `recurse`), each namespace with its schemas.

        Example: ``subgraphs = client.assistants.get_subgraphs(xpert_id, recurse=True)``
        """
        call = _get_subgraphs(assistant_id, namespace, recurse)
        return cast(dict[str, GraphSchema], self._http.request(call))


class AsyncAssistants:
    """Find and manage xperts."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def search(
        self,
        metadata: Mapping[str, Any] | None = None,
        graph_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
    ) -> list[Assistant]:
        """Published xperts whose metadata matches every given key.

        Example: ``[xpert] = await client.assistants.search(limit=1, metadata={"slug": "support"})``
        """
        call = _search(metadata, graph_id, limit, offset, sort_by, sort_order)
        return cast(list[Assistant], await self._http.request(call))

    async def count(self, metadata: Mapping[str, Any] | None = None, graph_id: str | None = None) -> int:
        """How many xperts match.

        Example: ``n = await client.assistants.count(metadata={"type": "agent"})``
        """
        return cast(int, await self._http.request(_count(metadata, graph_id)))

    async def get(self, assistant_id: str) -> Assistant:
        """One xpert by id.

        Example: ``xpert = await client.assistants.get(xpert_id)``
        """
        return cast(Assistant, await self._http.request(_get(assistant_id)))

    async def create(
        self,
        name: str,
        *,
        slug: str | None = None,
        description: str | None = None,
        config: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        definition: Mapping[str, Any] | None = None,
        assistant_id: str | None = None,
        if_exists: IfExists | None = None,
    ) -> Assistant:
        """Create an xpert (beyond XpertAI: its own server lacks this route).

        Example: ``xpert = await client.assistants.create("Support", slug="support", definition=spec)``
        """
        call = _create(
            name,
            slug=slug,
            description=description,
            config=config,
            metadata=metadata,
            definition=definition,
            assistant_id=assistant_id,
            if_exists=if_exists,
        )
        return cast(Assistant, await self._http.request(call))

    async def update(self, assistant_id: str, **fields: Any) -> Assistant:
        """Change an xpert's fields.

        Example: ``await client.assistants.update(xpert_id, description="Answers billing questions")``
        """
        return cast(Assistant, await self._http.request(_update(assistant_id, fields)))

    async def delete(self, assistant_id: str) -> AssistantDeleted:
        """Delete an xpert: ``{"success": True, "assistant_id": …}``.

        Example: ``await client.assistants.delete(xpert_id)``
        """
        return cast(AssistantDeleted, await self._http.request(_delete(assistant_id)))

    async def get_versions(
        self, assistant_id: str, limit: int = 10, offset: int = 0
    ) -> list[AssistantVersion]:
        """An xpert's published versions, newest first, each with its `definition`.

        Example: ``versions = await client.assistants.get_versions(xpert_id, limit=5)``
        """
        return cast(
            list[AssistantVersion], await self._http.request(_get_versions(assistant_id, limit, offset))
        )

    async def get_runtime_capabilities(self, assistant_id: str) -> RuntimeCapabilities:
        """The skills, plugins and sub-agents an xpert can use at run time.

        Example: ``caps = await client.assistants.get_runtime_capabilities(xpert_id)``
        """
        return cast(RuntimeCapabilities, await self._http.request(_get_runtime_capabilities(assistant_id)))

    async def get_subgraphs(
        self, assistant_id: str, namespace: str | None = None, recurse: bool = False
    ) -> dict[str, GraphSchema]:
        """The subgraphs of an xpert's graph (at `namespace`, e.g. ``"parent|child"``; nested ones too with
        `recurse`), each namespace with its schemas.

        Example: ``subgraphs = await client.assistants.get_subgraphs(xpert_id, recurse=True)``
        """
        call = _get_subgraphs(assistant_id, namespace, recurse)
        return cast(dict[str, GraphSchema], await self._http.request(call))
