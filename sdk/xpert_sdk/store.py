"""`client.store`: a long-term key/value memory, organised by namespaces (LangGraph store shapes).

A namespace is a list of labels, e.g. ``[xpert_id, "user-001"]``; labels may not contain ".", because
`get_item` sends the namespace joined with dots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact
from xpert_sdk.types import Item, ListNamespacesResponse, SearchItemsResponse, Success

__all__ = ["AsyncStore", "Store"]


def _namespace(namespace: Sequence[str]) -> list[str]:
    if isinstance(namespace, str):
        raise TypeError("namespace must be a list of labels, e.g. ['users', 'u-1'], not a string")
    labels = list(namespace)
    for label in labels:
        if "." in label:
            raise ValueError(f"namespace labels cannot contain '.': {label!r}")
    return labels


def _put_item(namespace: Sequence[str], key: str, value: Mapping[str, Any]) -> Call:
    body = {"namespace": _namespace(namespace), "key": key, "value": dict(value)}
    return Call("PUT", "/store/items", json=body)


def _get_item(namespace: Sequence[str], key: str) -> Call:
    params = {"namespace": ".".join(_namespace(namespace)), "key": key}
    return Call("GET", "/store/items", params=params)


def _delete_item(namespace: Sequence[str], key: str) -> Call:
    return Call("DELETE", "/store/items", json={"namespace": _namespace(namespace), "key": key})


def _search_items(
    namespace_prefix: Sequence[str],
    filter: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    query: str | None,
) -> Call:
    body = {"namespace_prefix": _namespace(namespace_prefix)} | compact(
        filter=filter, limit=limit, offset=offset, query=query
    )
    return Call("POST", "/store/items/search", json=body)


def _list_namespaces(
    prefix: Sequence[str] | None,
    suffix: Sequence[str] | None,
    max_depth: int | None,
    limit: int,
    offset: int,
) -> Call:
    body = compact(
        prefix=_namespace(prefix) if prefix is not None else None,
        suffix=_namespace(suffix) if suffix is not None else None,
        max_depth=max_depth,
        limit=limit,
        offset=offset,
    )
    return Call("POST", "/store/namespaces", json=body)


class Store:
    """Put, get and search long-term memory items."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def put_item(self, namespace: Sequence[str], key: str, value: Mapping[str, Any]) -> Success:
        """Store `value` under `namespace` / `key`, replacing any previous value.

        Example: ``client.store.put_item([xpert_id, "user-001"], "prefs", {"language": "en"})``
        """
        return cast(Success, self._http.request(_put_item(namespace, key, value)))

    def get_item(self, namespace: Sequence[str], key: str) -> Item | None:
        """The item at `namespace` / `key`, or None.

        Example: ``item = client.store.get_item([xpert_id, "user-001"], "prefs")``
        """
        return cast("Item | None", self._http.request(_get_item(namespace, key)))

    def delete_item(self, namespace: Sequence[str], key: str) -> Success:
        """Delete the item at `namespace` / `key`.

        Example: ``client.store.delete_item([xpert_id, "user-001"], "prefs")``
        """
        return cast(Success, self._http.request(_delete_item(namespace, key)))

    def search_items(
        self,
        namespace_prefix: Sequence[str],
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        query: str | None = None,
    ) -> SearchItemsResponse:
        """Items under a namespace prefix, optionally filtered or ranked by `query`.

        Example: ``items = client.store.search_items([xpert_id], query="language")["items"]``
        """
        call = _search_items(namespace_prefix, filter, limit, offset, query)
        return cast(SearchItemsResponse, self._http.request(call))

    def list_namespaces(
        self,
        prefix: Sequence[str] | None = None,
        suffix: Sequence[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> ListNamespacesResponse:
        """The namespaces that hold items.

        Example: ``namespaces = client.store.list_namespaces(prefix=[xpert_id])["namespaces"]``
        """
        call = _list_namespaces(prefix, suffix, max_depth, limit, offset)
        return cast(ListNamespacesResponse, self._http.request(call))


class AsyncStore:
    """Put, get and search long-term memory items."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def put_item(self, namespace: Sequence[str], key: str, value: Mapping[str, Any]) -> Success:
        """Store `value` under `namespace` / `key`, replacing any previous value.

        Example: ``await client.store.put_item([xpert_id, "user-001"], "prefs", {"language": "en"})``
        """
        return cast(Success, await self._http.request(_put_item(namespace, key, value)))

    async def get_item(self, namespace: Sequence[str], key: str) -> Item | None:
        """The item at `namespace` / `key`, or None.

        Example: ``item = await client.store.get_item([xpert_id, "user-001"], "prefs")``
        """
        return cast("Item | None", await self._http.request(_get_item(namespace, key)))

    async def delete_item(self, namespace: Sequence[str], key: str) -> Success:
        """Delete the item at `namespace` / `key`.

        Example: ``await client.store.delete_item([xpert_id, "user-001"], "prefs")``
        """
        return cast(Success, await self._http.request(_delete_item(namespace, key)))

    async def search_items(
        self,
        namespace_prefix: Sequence[str],
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        query: str | None = None,
    ) -> SearchItemsResponse:
        """Items under a namespace prefix, optionally filtered or ranked by `query`.

        Example: ``items = (await client.store.search_items([xpert_id], query="language"))["items"]``
        """
        call = _search_items(namespace_prefix, filter, limit, offset, query)
        return cast(SearchItemsResponse, await self._http.request(call))

    async def list_namespaces(
        self,
        prefix: Sequence[str] | None = None,
        suffix: Sequence[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> ListNamespacesResponse:
        """The namespaces that hold items.

        Example: ``namespaces = (await client.store.list_namespaces(prefix=[xpert_id]))["namespaces"]``
        """
        call = _list_namespaces(prefix, suffix, max_depth, limit, offset)
        return cast(ListNamespacesResponse, await self._http.request(call))
