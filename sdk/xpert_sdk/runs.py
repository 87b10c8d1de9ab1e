"""`client.runs`: run an xpert on a thread (or statelessly, with `thread_id=None`).

`input` is sent exactly as given. XpertAI's chat shape is
``{"action": "send", "message": {"input": {"input": "<text>", "files": [...]}}}``; build it with
`xpert_sdk.chat_input(text, files)`. Other actions (`resume`, `retry`, `follow_up`) are plain dicts.

Run creates are not idempotent: they are retried only when the server certainly did not accept them
(no connection, or a 429/503 refusal). Pass `idempotency_key` to let the server drop duplicates you
send yourself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk._streams import AsyncEventStream, EventStream, ResumeState, join_call
from xpert_sdk.errors import raise_for_run_error
from xpert_sdk.types import CancelResult, Deleted, MultitaskStrategy, OnDisconnect, Run, RunResult

__all__ = ["AsyncRuns", "Runs"]

_RunList = list[Run]


def _runs_path(thread_id: str | None, suffix: str) -> str:
    base = "/runs" if thread_id is None else path("/threads/{}/runs", thread_id)
    return base + suffix


def _run_call(
    thread_id: str | None,
    assistant_id: str,
    suffix: str,
    *,
    idempotency_key: str | None,
    **options: Any,
) -> Call:
    body = {"assistant_id": assistant_id} | compact(**options)
    headers = {"idempotency-key": idempotency_key} if idempotency_key is not None else {}
    if suffix == "/stream":
        headers["accept"] = "text/event-stream"
    return Call("POST", _runs_path(thread_id, suffix), json=body, headers=headers, idempotent=False)


def _checked(result: Any) -> RunResult:
    raise_for_run_error(result)  # 201 with `__error__`: the run failed, which is not a reply
    return cast(RunResult, result)


def _get(thread_id: str, run_id: str) -> Call:
    return Call("GET", path("/threads/{}/runs/{}", thread_id, run_id))


def _list(thread_id: str, limit: int, offset: int) -> Call:
    return Call("GET", path("/threads/{}/runs", thread_id), params={"limit": limit, "offset": offset})


def _cancel(thread_id: str, run_id: str) -> Call:
    # Cancelling twice is harmless, so this POST may be retried.
    return Call("POST", path("/threads/{}/runs/{}/cancel", thread_id, run_id))


def _join(thread_id: str, run_id: str) -> Call:
    return Call("GET", path("/threads/{}/runs/{}/join", thread_id, run_id))


def _delete(thread_id: str, run_id: str) -> Call:
    return Call("DELETE", path("/threads/{}/runs/{}", thread_id, run_id))


class Runs:
    """Start, follow and cancel runs."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Run:
        """Start a run in the background; follow it with `join_stream` or `join`.

        Example: ``run = client.runs.create(thread["thread_id"], xpert_id, input=chat_input("Hi"))``
        """
        call = _run_call(
            thread_id, assistant_id, "", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return cast(Run, self._http.request(call))

    def wait(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> RunResult:
        """Run to the end and return the reply: ``{"role": "ai", "content": "<all its text>"}``.
        Raises `RunFailedError` when the run ends in error.

        Example: ``reply = client.runs.wait(thread["thread_id"], xpert_id, input=chat_input("Hi"))``
        """
        call = _run_call(
            thread_id, assistant_id, "/wait", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return _checked(self._http.request(call))

    def stream(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> EventStream:
        """Run and iterate over its SSE frames; a dropped connection resumes by itself.

        Example: ``for event in client.runs.stream(tid, xpert_id, input=chat_input("Hi")): print(event)``
        """
        call = _run_call(
            thread_id, assistant_id, "/stream", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return EventStream(self._http, call, ResumeState(thread_id))

    def get(self, thread_id: str, run_id: str) -> Run:
        """One run.

        Example: ``status = client.runs.get(thread_id, run_id)["status"]``
        """
        return cast(Run, self._http.request(_get(thread_id, run_id)))

    def list(self, thread_id: str, limit: int = 10, offset: int = 0) -> _RunList:
        """The thread's runs, newest first.

        Example: ``runs = client.runs.list(thread_id, limit=20)``
        """
        return cast(_RunList, self._http.request(_list(thread_id, limit, offset)))

    def cancel(self, thread_id: str, run_id: str) -> CancelResult:
        """Cancel a pending or running run.

        Example: ``client.runs.cancel(thread_id, run_id)``
        """
        return cast(CancelResult, self._http.request(_cancel(thread_id, run_id)))

    def join(self, thread_id: str, run_id: str) -> RunResult:
        """Wait for a run to finish and return its reply, as `wait` does: ``{"role": "ai", "content": …}``.

        Example: ``result = client.runs.join(thread_id, run_id)``
        """
        return _checked(self._http.request(_join(thread_id, run_id)))

    def join_stream(
        self, thread_id: str | None, run_id: str, last_event_id: str | None = None
    ) -> EventStream:
        """Replay a run's frames (those after `last_event_id`, if given), then follow it live. `thread_id=None`
        joins by the run id alone (a stateless run's).

        Example: ``for event in client.runs.join_stream(thread_id, run_id, last_event_id="42"): ...``
        """
        state = ResumeState(thread_id, run_id, last_event_id)
        return EventStream(self._http, join_call(thread_id, run_id, last_event_id), state)

    def delete(self, thread_id: str, run_id: str) -> Deleted:
        """Delete a finished run (its frames go; the conversation and the thread's state stay). A run that
        has not finished is refused with `ConflictError`: cancel it first.

        Example: ``client.runs.delete(thread_id, run_id)``
        """
        return cast(Deleted, self._http.request(_delete(thread_id, run_id)))


class AsyncRuns:
    """Start, follow and cancel runs."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Run:
        """Start a run in the background; follow it with `join_stream` or `join`.

        Example: ``run = await client.runs.create(thread["thread_id"], xpert_id, input=chat_input("Hi"))``
        """
        call = _run_call(
            thread_id, assistant_id, "", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return cast(Run, await self._http.request(call))

    async def wait(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> RunResult:
        """Run to the end and return the reply: ``{"role": "ai", "content": "<all its text>"}``.
        Raises `RunFailedError` when the run ends in error.

        Example: ``reply = await client.runs.wait(thread["thread_id"], xpert_id, input=chat_input("Hi"))``
        """
        call = _run_call(
            thread_id, assistant_id, "/wait", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return _checked(await self._http.request(call))

    def stream(
        self,
        thread_id: str | None,
        assistant_id: str,
        *,
        input: Any = None,
        context: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        on_disconnect: OnDisconnect | None = None,
        checkpoint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> AsyncEventStream:
        """Run and iterate (``async for``) over its SSE frames; a dropped connection resumes by itself.

        Example: ``async for event in client.runs.stream(tid, xpert_id, input=chat_input("Hi")): ...``
        """
        call = _run_call(
            thread_id, assistant_id, "/stream", input=input, context=context, metadata=metadata, config=config,
            multitask_strategy=multitask_strategy, on_disconnect=on_disconnect, checkpoint_id=checkpoint_id,
            idempotency_key=idempotency_key,
        )  # fmt: skip
        return AsyncEventStream(self._http, call, ResumeState(thread_id))

    async def get(self, thread_id: str, run_id: str) -> Run:
        """One run.

        Example: ``status = (await client.runs.get(thread_id, run_id))["status"]``
        """
        return cast(Run, await self._http.request(_get(thread_id, run_id)))

    async def list(self, thread_id: str, limit: int = 10, offset: int = 0) -> _RunList:
        """The thread's runs, newest first.

        Example: ``runs = await client.runs.list(thread_id, limit=20)``
        """
        return cast(_RunList, await self._http.request(_list(thread_id, limit, offset)))

    async def cancel(self, thread_id: str, run_id: str) -> CancelResult:
        """Cancel a pending or running run.

        Example: ``await client.runs.cancel(thread_id, run_id)``
        """
        return cast(CancelResult, await self._http.request(_cancel(thread_id, run_id)))

    async def join(self, thread_id: str, run_id: str) -> RunResult:
        """Wait for a run to finish and return its reply, as `wait` does: ``{"role": "ai", "content": …}``.

        Example: ``result = await client.runs.join(thread_id, run_id)``
        """
        return _checked(await self._http.request(_join(thread_id, run_id)))

    def join_stream(
        self, thread_id: str | None, run_id: str, last_event_id: str | None = None
    ) -> AsyncEventStream:
        """Replay a run's frames (those after `last_event_id`, if given), then follow it live. `thread_id=None`
        joins by the run id alone (a stateless run's).

        Example: ``async for event in client.runs.join_stream(thread_id, run_id, last_event_id="42"): ...``
        """
        state = ResumeState(thread_id, run_id, last_event_id)
        return AsyncEventStream(self._http, join_call(thread_id, run_id, last_event_id), state)

    async def delete(self, thread_id: str, run_id: str) -> Deleted:
        """Delete a finished run (its frames go; the conversation and the thread's state stay). A run that
        has not finished is refused with `ConflictError`: cancel it first.

        Example: ``await client.runs.delete(thread_id, run_id)``
        """
        return cast(Deleted, await self._http.request(_delete(thread_id, run_id)))
