"""`client.knowledges`: knowledge bases, their documents, and retrieval.

Typical flow: `create` a base, upload files with `client.contexts.upload_file`, `add_documents`,
`process` them, `wait_until_ready`, then `search` (or let an xpert that lists the base retrieve from it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from xpert_sdk import _http
from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import (
    Deleted,
    DocumentStatus,
    Knowledgebase,
    KnowledgeDocument,
    KnowledgeSearchMode,
    KnowledgeSearchResult,
)

__all__ = ["AsyncKnowledges", "Knowledges", "OnProgress"]

OnProgress = Callable[[list[DocumentStatus]], None]

# Document statuses after which processing will not move on by itself.
_SETTLED = frozenset({"finish", "error", "cancel"})
DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 2.0


def _create(name: str, fields: dict[str, Any]) -> Call:
    return Call("POST", "/knowledges", json={"name": name, **fields}, idempotent=False)


def _update(kb_id: str, fields: dict[str, Any]) -> Call:
    return Call("PUT", path("/knowledges/{}", kb_id), json=fields)


def _delete(kb_id: str) -> Call:
    return Call("DELETE", path("/knowledges/{}", kb_id))


def _add_documents(kb_id: str, documents: Sequence[Mapping[str, Any]]) -> Call:
    body = [dict(document) for document in documents]
    return Call("POST", path("/knowledges/{}/bulk", kb_id), json=body, idempotent=False)


def _process(kb_id: str, ids: Sequence[str]) -> Call:
    return Call("POST", path("/knowledges/{}/process", kb_id), json=list(ids), idempotent=False)


def _status(kb_id: str, ids: Sequence[str]) -> Call:
    return Call("GET", path("/knowledges/{}/status", kb_id), params={"ids": ",".join(ids)})


def _search(
    kb_id: str, query: str, top_k: int | None, score: float | None, mode: KnowledgeSearchMode | None
) -> Call:
    body = {"query": query} | compact(topK=top_k, score=score, mode=mode)
    return Call("POST", path("/knowledges/{}/search", kb_id), json=body)


def _settled(statuses: list[DocumentStatus]) -> bool:
    return all(status.get("status") in _SETTLED for status in statuses)


def _timed_out(kb_id: str, statuses: list[DocumentStatus], timeout: float) -> TimeoutError:
    pending = [status.get("id") for status in statuses if status.get("status") not in _SETTLED]
    return TimeoutError(f"knowledge base {kb_id}: documents {pending} not processed after {timeout} s")


class Knowledges:
    """Manage knowledge bases and search them."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create(self, name: str, **fields: Any) -> Knowledgebase:
        """Create a knowledge base (`description`, `permission`, `recall`, `parserConfig`…).

        Example: ``kb = client.knowledges.create("Manuals", recall={"topK": 5, "score": 0.3})``
        """
        return cast(Knowledgebase, self._http.request(_create(name, fields)))

    def update(self, kb_id: str, **fields: Any) -> Knowledgebase:
        """Change a knowledge base's fields.

        Example: ``client.knowledges.update(kb["id"], description="Product manuals")``
        """
        return cast(Knowledgebase, self._http.request(_update(kb_id, fields)))

    def delete(self, kb_id: str) -> Deleted:
        """Delete a knowledge base with its documents.

        Example: ``client.knowledges.delete(kb["id"])``
        """
        return cast(Deleted, self._http.request(_delete(kb_id)))

    def add_documents(self, kb_id: str, documents: Sequence[Mapping[str, Any]]) -> list[KnowledgeDocument]:
        """Add documents (from uploaded files or URLs) to a knowledge base.

        Example: ``docs = client.knowledges.add_documents(kb["id"], [{"fileId": file["id"]}])``
        """
        return cast(list[KnowledgeDocument], self._http.request(_add_documents(kb_id, documents)))

    def process(self, kb_id: str, ids: Sequence[str]) -> list[DocumentStatus]:
        """Start parsing, chunking and embedding documents; returns their statuses.

        Example: ``client.knowledges.process(kb["id"], [doc["id"] for doc in docs])``
        """
        return cast(list[DocumentStatus], self._http.request(_process(kb_id, ids)))

    def status(self, kb_id: str, ids: Sequence[str]) -> list[DocumentStatus]:
        """Processing status of documents.

        Example: ``statuses = client.knowledges.status(kb["id"], [doc["id"]])``
        """
        return cast(list[DocumentStatus], self._http.request(_status(kb_id, ids)))

    def search(
        self,
        kb_id: str,
        query: str,
        top_k: int | None = None,
        score: float | None = None,
        mode: KnowledgeSearchMode | None = None,
    ) -> KnowledgeSearchResult:
        """The chunks most relevant to `query` (at least `score`, 0..1), as ``{"items": [...]}``.

        Example: ``chunks = client.knowledges.search(kb["id"], "reset the router", top_k=3)["items"]``
        """
        call = _search(kb_id, query, top_k, score, mode)
        return cast(KnowledgeSearchResult, self._http.request(call))

    def wait_until_ready(
        self,
        kb_id: str,
        ids: Sequence[str],
        on_progress: OnProgress | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> list[DocumentStatus]:
        """Poll `status` until every document is `finish`, `error` or `cancel`; TimeoutError after `timeout`.

        Example: ``client.knowledges.wait_until_ready(kb["id"], ids, on_progress=print)``
        """
        deadline = time.monotonic() + timeout
        while True:
            statuses = self.status(kb_id, ids)
            if on_progress is not None:
                on_progress(statuses)
            if _settled(statuses):
                return statuses
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timed_out(kb_id, statuses, timeout)
            _http._sleep(min(poll_interval, remaining))


class AsyncKnowledges:
    """Manage knowledge bases and search them."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create(self, name: str, **fields: Any) -> Knowledgebase:
        """Create a knowledge base (`description`, `permission`, `recall`, `parserConfig`…).

        Example: ``kb = await client.knowledges.create("Manuals", recall={"topK": 5, "score": 0.3})``
        """
        return cast(Knowledgebase, await self._http.request(_create(name, fields)))

    async def update(self, kb_id: str, **fields: Any) -> Knowledgebase:
        """Change a knowledge base's fields.

        Example: ``await client.knowledges.update(kb["id"], description="Product manuals")``
        """
        return cast(Knowledgebase, await self._http.request(_update(kb_id, fields)))

    async def delete(self, kb_id: str) -> Deleted:
        """Delete a knowledge base with its documents.

        Example: ``await client.knowledges.delete(kb["id"])``
        """
        return cast(Deleted, await self._http.request(_delete(kb_id)))

    async def add_documents(
        self, kb_id: str, documents: Sequence[Mapping[str, Any]]
    ) -> list[KnowledgeDocument]:
        """Add documents (from uploaded files or URLs) to a knowledge base.

        Example: ``docs = await client.knowledges.add_documents(kb["id"], [{"fileId": file["id"]}])``
        """
        return cast(list[KnowledgeDocument], await self._http.request(_add_documents(kb_id, documents)))

    async def process(self, kb_id: str, ids: Sequence[str]) -> list[DocumentStatus]:
        """Start parsing, chunking and embedding documents; returns their statuses.

        Example: ``await client.knowledges.process(kb["id"], [doc["id"] for doc in docs])``
        """
        return cast(list[DocumentStatus], await self._http.request(_process(kb_id, ids)))

    async def status(self, kb_id: str, ids: Sequence[str]) -> list[DocumentStatus]:
        """Processing status of documents.

        Example: ``statuses = await client.knowledges.status(kb["id"], [doc["id"]])``
        """
        return cast(list[DocumentStatus], await self._http.request(_status(kb_id, ids)))

    async def search(
        self,
        kb_id: str,
        query: str,
        top_k: int | None = None,
        score: float | None = None,
        mode: KnowledgeSearchMode | None = None,
    ) -> KnowledgeSearchResult:
        """The chunks most relevant to `query` (at least `score`, 0..1), as ``{"items": [...]}``.

        Example: ``chunks = (await client.knowledges.search(kb["id"], "reset the router", top_k=3))["items"]``
        """
        call = _search(kb_id, query, top_k, score, mode)
        return cast(KnowledgeSearchResult, await self._http.request(call))

    async def wait_until_ready(
        self,
        kb_id: str,
        ids: Sequence[str],
        on_progress: OnProgress | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> list[DocumentStatus]:
        """Poll `status` until every document is `finish`, `error` or `cancel`; TimeoutError after `timeout`.

        Example: ``await client.knowledges.wait_until_ready(kb["id"], ids, on_progress=print)``
        """
        deadline = time.monotonic() + timeout
        while True:
            statuses = await self.status(kb_id, ids)
            if on_progress is not None:
                on_progress(statuses)
            if _settled(statuses):
                return statuses
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timed_out(kb_id, statuses, timeout)
            await _http._async_sleep(min(poll_interval, remaining))
