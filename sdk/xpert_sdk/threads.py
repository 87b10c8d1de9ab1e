"""`client.threads`: conversations with an xpert, and their checkpointed state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk._streams import AsyncEventStream, EventStream, ThreadResumeState, thread_join_call
from xpert_sdk.types import (
    Checkpoint,
    IfExists,
    SortOrder,
    StateUpdate,
    Thread,
    ThreadContextUsage,
    ThreadPruned,
    ThreadState,
    ThreadStatus,
    ThreadTTL,
)

__all__ = ["AsyncThreads", "Threads"]


def _ttl(ttl: float | ThreadTTL | None) -> ThreadTTL | None:
    """Minutes (deleted after that long idle), or `{ttl, strategy}`, as langgraph-sdk sends it."""
    if isinstance(ttl, int | float):
        return {"ttl": ttl, "strategy": "delete"}
    return ttl


def _create(
    metadata: Mapping[str, Any] | None,
    thread_id: str | None,
    if_exists: IfExists | None,
    assistant_id: str | None,
    ttl: float | ThreadTTL | None,
) -> Call:
    # A bare create sends `{"metadata": {}}`, as XpertAI's JS SDK does.
    body = {"metadata": dict(metadata or {})} | compact(
        thread_id=thread_id, if_exists=if_exists, assistant_id=assistant_id, ttl=_ttl(ttl)
    )
    return Call("POST", "/threads", json=body, idempotent=False)


def _prune(thread_ids: Sequence[str], strategy: Literal["delete", "keep_latest"]) -> Call:
    body = {"thread_ids": list(thread_ids), "strategy": strategy}
    return Call("POST", "/threads/prune", json=body, idempotent=strategy == "keep_latest")


def _get(thread_id: str) -> Call:
    return Call("GET", path("/threads/{}", thread_id))


def _update(thread_id: str, metadata: Mapping[str, Any], ttl: float | ThreadTTL | None) -> Call:
    body = {"metadata": dict(metadata)} | compact(ttl=_ttl(ttl))
    return Call("PATCH", path("/threads/{}", thread_id), json=body)


def _delete(thread_id: str) -> Call:
    return Call("DELETE", path("/threads/{}", thread_id))


def _search(
    metadata: Mapping[str, Any] | None,
    ids: Sequence[str] | None,
    status: ThreadStatus | None,
    limit: int,
    offset: int,
    sort_by: str | None,
    sort_order: SortOrder | None,
) -> Call:
    body = compact(
        metadata=metadata,
        ids=list(ids) if ids is not None else None,
        status=status,
        limit=limit,
        offset=offset,
        sort_by=sort_by,
        sort_order=sort_order,
    )
    return Call("POST", "/threads/search", json=body)


def _count(metadata: Mapping[str, Any] | None, status: ThreadStatus | None) -> Call:
    return Call("POST", "/threads/count", json=compact(metadata=metadata, status=status))


def _get_state(thread_id: str, checkpoint_id: str | None, checkpoint: Checkpoint | None) -> Call:
    if checkpoint is not None:  # LangGraph's checkpoint object (a subgraph's `checkpoint_ns` too)
        body = {"checkpoint": dict(checkpoint)}
        return Call("POST", path("/threads/{}/state/checkpoint", thread_id), json=body)
    params = compact(checkpoint_id=checkpoint_id)
    return Call("GET", path("/threads/{}/state", thread_id), params=params or None)


def _patch_state(thread_id: str, metadata: Mapping[str, Any], checkpoint_id: str | None) -> Call:
    body = {"metadata": dict(metadata)} | compact(checkpoint_id=checkpoint_id)
    return Call("PATCH", path("/threads/{}/state", thread_id), json=body)


def _update_state(thread_id: str, values: Any, as_node: str | None, checkpoint_id: str | None) -> Call:
    body = {"values": values} | compact(as_node=as_node, checkpoint_id=checkpoint_id)
    return Call("POST", path("/threads/{}/state", thread_id), json=body, idempotent=False)


def _get_history(thread_id: str, limit: int, before: str | None, metadata: Mapping[str, Any] | None) -> Call:
    body = {"limit": limit} | compact(before=before, metadata=metadata)
    return Call("POST", path("/threads/{}/history", thread_id), json=body)


def _copy(thread_id: str) -> Call:
    return Call("POST", path("/threads/{}/copy", thread_id), idempotent=False)


def _get_context_usage(thread_id: str, agent_key: str | None) -> Call:
    params = compact(agentKey=agent_key)
    return Call("GET", path("/threads/{}/context-usage", thread_id), params=params or None)


class Threads:
    """Create, find and inspect threads."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create(
        self,
        metadata: Mapping[str, Any] | None = None,
        thread_id: str | None = None,
        if_exists: IfExists | None = None,
        assistant_id: str | None = None,
        ttl: float | ThreadTTL | None = None,
    ) -> Thread:
        """Start a thread; it binds to the assistant of its first run unless `assistant_id` is given. `ttl`:
        minutes idle before it is deleted, or `{"ttl": minutes, "strategy": "keep_latest"}`.

        Example: ``thread = client.threads.create(metadata={"title": "Billing"})``
        """
        return cast(Thread, self._http.request(_create(metadata, thread_id, if_exists, assistant_id, ttl)))

    def get(self, thread_id: str) -> Thread:
        """One thread, with its current `values`.

        Example: ``thread = client.threads.get(thread_id)``
        """
        return cast(Thread, self._http.request(_get(thread_id)))

    def update(
        self, thread_id: str, metadata: Mapping[str, Any], ttl: float | ThreadTTL | None = None
    ) -> Thread:
        """Merge `metadata` into the thread's metadata (and set its `ttl`, when given).

        Example: ``client.threads.update(thread_id, metadata={"title": "Refund"})``
        """
        return cast(Thread, self._http.request(_update(thread_id, metadata, ttl)))

    def delete(self, thread_id: str) -> None:
        """Delete a thread with its runs, state and conversation.

        Example: ``client.threads.delete(thread_id)``
        """
        self._http.request(_delete(thread_id))

    def prune(
        self, thread_ids: Sequence[str], strategy: Literal["delete", "keep_latest"] = "delete"
    ) -> ThreadPruned:
        """Delete threads, or (`keep_latest`) drop all but their latest state; ids not visible are skipped.

        Example: ``client.threads.prune([tid], strategy="keep_latest")["pruned_count"]``
        """
        return cast(ThreadPruned, self._http.request(_prune(thread_ids, strategy)))

    def search(
        self,
        metadata: Mapping[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        status: ThreadStatus | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
    ) -> list[Thread]:
        """Threads matching the filters.

        Example: ``busy = client.threads.search(status="busy", limit=50)``
        """
        call = _search(metadata, ids, status, limit, offset, sort_by, sort_order)
        return cast(list[Thread], self._http.request(call))

    def count(self, metadata: Mapping[str, Any] | None = None, status: ThreadStatus | None = None) -> int:
        """How many threads match.

        Example: ``n = client.threads.count(status="idle")``
        """
        return cast(int, self._http.request(_count(metadata, status)))

    def get_state(
        self, thread_id: str, checkpoint_id: str | None = None, checkpoint: Checkpoint | None = None
    ) -> ThreadState:
        """The thread's state at its latest (or a given) checkpoint: by id, or by LangGraph's checkpoint object.

        Example: ``state = client.threads.get_state(thread_id)``
        """
        return cast(ThreadState, self._http.request(_get_state(thread_id, checkpoint_id, checkpoint)))

    def patch_state(
        self, thread_id: str, metadata: Mapping[str, Any], checkpoint_id: str | None = None
    ) -> StateUpdate:
        """Merge keys into the metadata of the thread's latest (or a given) checkpoint; values stay as they are.

        Example: ``client.threads.patch_state(thread_id, {"reviewed": True})``
        """
        return cast(StateUpdate, self._http.request(_patch_state(thread_id, metadata, checkpoint_id)))

    def join_stream(self, thread_id: str, last_event_id: str | None = None) -> EventStream:
        """Every run of the thread, one after another (finished ones after `last_event_id`, replayed; live
        ones followed); it ends when the thread has no later run. Event ids are `<run_id>:<seq>`.

        Example: ``for event in client.threads.join_stream(thread_id): ...``
        """
        state = ThreadResumeState(thread_id, None, last_event_id)
        return EventStream(self._http, thread_join_call(thread_id, last_event_id), state)

    def update_state(
        self, thread_id: str, values: Any, as_node: str | None = None, checkpoint_id: str | None = None
    ) -> StateUpdate:
        """Write `values` into the thread's state (on top of `checkpoint_id`, if given) as a new checkpoint.

        Example: ``client.threads.update_state(thread_id, {"topic": "billing"})``
        """
        call = _update_state(thread_id, values, as_node, checkpoint_id)
        return cast(StateUpdate, self._http.request(call))

    def get_history(
        self,
        thread_id: str,
        limit: int = 10,
        before: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[ThreadState]:
        """Past states of the thread, newest first: older than checkpoint `before`, matching `metadata`.

        Example: ``states = client.threads.get_history(thread_id, limit=5)``
        """
        call = _get_history(thread_id, limit, before, metadata)
        return cast(list[ThreadState], self._http.request(call))

    def copy(self, thread_id: str) -> Thread:
        """A new thread with a copy of this one's state.

        Example: ``fork = client.threads.copy(thread_id)``
        """
        return cast(Thread, self._http.request(_copy(thread_id)))

    def get_context_usage(self, thread_id: str, agent_key: str | None = None) -> ThreadContextUsage:
        """Token usage of the thread's context window.

        Example: ``usage = client.threads.get_context_usage(thread_id)["usage"]``
        """
        return cast(ThreadContextUsage, self._http.request(_get_context_usage(thread_id, agent_key)))


class AsyncThreads:
    """Create, find and inspect threads."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create(
        self,
        metadata: Mapping[str, Any] | None = None,
        thread_id: str | None = None,
        if_exists: IfExists | None = None,
        assistant_id: str | None = None,
        ttl: float | ThreadTTL | None = None,
    ) -> Thread:
        """Start a thread; it binds to the assistant of its first run unless `assistant_id` is given. `ttl`:
        minutes idle before it is deleted, or `{"ttl": minutes, "strategy": "keep_latest"}`.

        Example: ``thread = await client.threads.create(metadata={"title": "Billing"})``
        """
        return cast(
            Thread, await self._http.request(_create(metadata, thread_id, if_exists, assistant_id, ttl))
        )

    async def get(self, thread_id: str) -> Thread:
        """One thread, with its current `values`.

        Example: ``thread = await client.threads.get(thread_id)``
        """
        return cast(Thread, await self._http.request(_get(thread_id)))

    async def update(
        self, thread_id: str, metadata: Mapping[str, Any], ttl: float | ThreadTTL | None = None
    ) -> Thread:
        """Merge `metadata` into the thread's metadata (and set its `ttl`, when given).

        Example: ``await client.threads.update(thread_id, metadata={"title": "Refund"})``
        """
        return cast(Thread, await self._http.request(_update(thread_id, metadata, ttl)))

    async def delete(self, thread_id: str) -> None:
        """Delete a thread with its runs, state and conversation.

        Example: ``await client.threads.delete(thread_id)``
        """
        await self._http.request(_delete(thread_id))

    async def prune(
        self, thread_ids: Sequence[str], strategy: Literal["delete", "keep_latest"] = "delete"
    ) -> ThreadPruned:
        """Delete threads, or (`keep_latest`) drop all but their latest state; ids not visible are skipped.

        Example: ``(await client.threads.prune([tid]))["pruned_count"]``
        """
        return cast(ThreadPruned, await self._http.request(_prune(thread_ids, strategy)))

    async def search(
        self,
        metadata: Mapping[str, Any] | None = None,
        ids: Sequence[str] | None = None,
        status: ThreadStatus | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: SortOrder | None = None,
    ) -> list[Thread]:
        """Threads matching the filters.

        Example: ``busy = await client.threads.search(status="busy", limit=50)``
        """
        call = _search(metadata, ids, status, limit, offset, sort_by, sort_order)
        return cast(list[Thread], await self._http.request(call))

    async def count(
        self, metadata: Mapping[str, Any] | None = None, status: ThreadStatus | None = None
    ) -> int:
        """How many threads match.

        Example: ``n = await client.threads.count(status="idle")``
        """
        return cast(int, await self._http.request(_count(metadata, status)))

    async def get_state(
        self, thread_id: str, checkpoint_id: str | None = None, checkpoint: Checkpoint | None = None
    ) -> ThreadState:
        """The thread's state at its latest (or a given) checkpoint: by id, or by LangGraph's checkpoint object.

        Example: ``state = await client.threads.get_state(thread_id)``
        """
        return cast(ThreadState, await self._http.request(_get_state(thread_id, checkpoint_id, checkpoint)))

    async def patch_state(
        self, thread_id: str, metadata: Mapping[str, Any], checkpoint_id: str | None = None
    ) -> StateUpdate:
        """Merge keys into the metadata of the thread's latest (or a given) checkpoint; values stay as they are.

        Example: ``await client.threads.patch_state(thread_id, {"reviewed": True})``
        """
        return cast(StateUpdate, await self._http.request(_patch_state(thread_id, metadata, checkpoint_id)))

    def join_stream(self, thread_id: str, last_event_id: str | None = None) -> AsyncEventStream:
        """Every run of the thread, one after another (finished ones after `last_event_id`, replayed; live
        ones followed); it ends when the thread has no later run. Event ids are `<run_id>:<seq>`.

        Example: ``async for event in client.threads.join_stream(thread_id): ...``
        """
        state = ThreadResumeState(thread_id, None, last_event_id)
        return AsyncEventStream(self._http, thread_join_call(thread_id, last_event_id), state)

    async def update_state(
        self, thread_id: str, values: Any, as_node: str | None = None, checkpoint_id: str | None = None
    ) -> StateUpdate:
        """Write `values` into the thread's state (on top of `checkpoint_id`, if given) as a new checkpoint.

        Example: ``await client.threads.update_state(thread_id, {"topic": "billing"})``
        """
        call = _update_state(thread_id, values, as_node, checkpoint_id)
        return cast(StateUpdate, await self._http.request(call))

    async def get_history(
        self,
        thread_id: str,
        limit: int = 10,
        before: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[ThreadState]:
        """Past states of the thread, newest first: older than checkpoint `before`, matching `metadata`.

        Example: ``states = await client.threads.get_history(thread_id, limit=5)``
        """
        call = _get_history(thread_id, limit, before, metadata)
        return cast(list[ThreadState], await self._http.request(call))

    async def copy(self, thread_id: str) -> Thread:
        """A new thread with a copy of this one's state.

        Example: ``fork = await client.threads.copy(thread_id)``
        """
        return cast(Thread, await self._http.request(_copy(thread_id)))

    async def get_context_usage(self, thread_id: str, agent_key: str | None = None) -> ThreadContextUsage:
        """Token usage of the thread's context window.

        Example: ``usage = (await client.threads.get_context_usage(thread_id))["usage"]``
        """
        return cast(ThreadContextUsage, await self._http.request(_get_context_usage(thread_id, agent_key)))
