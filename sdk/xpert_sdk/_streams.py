"""Run streams that survive a dropped connection.

A run's frames are stored by the server, so when the connection breaks before the `complete` frame the
stream reconnects by itself with `GET /threads/{tid}/runs/{rid}/stream` and `Last-Event-ID: <last id>`:
the server replays exactly the frames after that id, and the caller sees every frame once (frames whose
id was already seen are dropped, in case a server replays too much).

The run id comes from the `on_message_start` frame (`data.data.executionId`); a stateless run's thread
id from `on_agent_start` (`data.data.threadId`; until then it is rejoined by its run id alone,
`GET /runs/{rid}/stream`). A drop before the run id is known cannot be resumed and raises
`APIConnectionError`. A thread's stream (`threads.join_stream`) goes on past each run's `complete` and
resumes with `GET /threads/{tid}/stream` from the last `<run_id>:<seq>` id. A response that ends *cleanly* without `complete` is taken as the server's
decision to end the stream (XpertAI's `follow_up` streams end that way) and is not resumed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Any, Self

import httpx

from xpert_sdk import _http
from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, backoff, path
from xpert_sdk._sse import StreamEvent, aiter_events, iter_events
from xpert_sdk.errors import APIConnectionError

__all__ = [
    "AsyncEventStream",
    "EventStream",
    "ResumeState",
    "ThreadResumeState",
    "join_call",
    "thread_join_call",
]

_FINAL_EVENTS = ("complete", "error")


def _sse_headers(last_event_id: str | None) -> dict[str, str]:
    headers = {"accept": "text/event-stream"}
    if last_event_id is not None:
        headers["last-event-id"] = last_event_id
    return headers


def join_call(thread_id: str | None, run_id: str, last_event_id: str | None) -> Call:
    """`GET …/runs/{rid}/stream` (`/runs/{rid}/stream` without a thread), replaying the frames after
    `last_event_id`."""
    where = (
        path("/runs/{}/stream", run_id)
        if thread_id is None
        else path("/threads/{}/runs/{}/stream", thread_id, run_id)
    )
    return Call("GET", where, headers=_sse_headers(last_event_id))


def thread_join_call(thread_id: str, last_event_id: str | None) -> Call:
    """`GET /threads/{tid}/stream`: every run of the thread, after `last_event_id` (`<run_id>:<seq>`)."""
    return Call("GET", path("/threads/{}/stream", thread_id), headers=_sse_headers(last_event_id))


class ResumeState:
    """What a stream has seen so far: enough to resume it after a drop."""

    def __init__(
        self, thread_id: str | None, run_id: str | None = None, last_event_id: str | None = None
    ) -> None:
        self.thread_id = thread_id
        self.run_id = run_id
        self.last_event_id = last_event_id
        self.finished = False
        self._seen: set[str] = set()

    def accept(self, event: StreamEvent) -> bool:
        """Record `event`; False when it is a replayed duplicate the caller already has."""
        if event.id is not None:
            if event.id in self._seen:
                return False
            self._seen.add(event.id)
            self.last_event_id = event.id
        self._note_ids(event.data)
        data_type = event.data.get("type") if isinstance(event.data, dict) else None
        self.finished = event.event in _FINAL_EVENTS or data_type == "complete"
        return True

    def _note_ids(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("type") != "event":
            return
        payload = data.get("data")
        if not isinstance(payload, dict):
            return
        if data.get("event") == "on_message_start" and isinstance(payload.get("executionId"), str):
            self.run_id = self.run_id or payload["executionId"]
        if data.get("event") == "on_agent_start" and isinstance(payload.get("threadId"), str):
            self.thread_id = self.thread_id or payload["threadId"]

    def resume_call(self, cause: Exception) -> Call:
        """The request that picks the stream up where it broke."""
        if self.run_id is None:
            raise APIConnectionError(
                f"Stream broke before the run id was known, so it cannot be resumed: {cause}"
            ) from cause
        # A stateless run's thread id may not have arrived yet: its run id alone is enough to rejoin.
        return join_call(self.thread_id, self.run_id, self.last_event_id)


class ThreadResumeState(ResumeState):
    """A thread's stream: it goes on past each run's `complete` (ending when the server ends it) and resumes
    after a drop with the thread's own join, from the last `<run_id>:<seq>` id."""

    def accept(self, event: StreamEvent) -> bool:
        fresh = super().accept(event)
        self.finished = False
        return fresh

    def resume_call(self, cause: Exception) -> Call:
        assert self.thread_id is not None  # a thread's stream is always opened with its thread id
        return thread_join_call(self.thread_id, self.last_event_id)


def _give_up(cause: Exception) -> APIConnectionError:
    return APIConnectionError(f"Stream broke and could not be resumed: {cause}")


def resumable(http: SyncHTTP, call: Call, state: ResumeState) -> Generator[StreamEvent, None, None]:
    """Yield the frames of `call`'s SSE response, reconnecting after drops."""
    failures = 0
    while True:
        try:
            with http.stream(call) as response:
                for event in iter_events(response):
                    if state.accept(event):
                        failures = 0
                        yield event
                    if state.finished:
                        return
            return
        except httpx.TransportError as exc:
            call = state.resume_call(exc)
            if failures >= http.max_retries:
                raise _give_up(exc) from exc
            _http._sleep(backoff(failures))
            failures += 1


async def aresumable(http: AsyncHTTP, call: Call, state: ResumeState) -> AsyncGenerator[StreamEvent, None]:
    """Yield the frames of `call`'s SSE response, reconnecting after drops."""
    failures = 0
    while True:
        try:
            async with http.stream(call) as response:
                async for event in aiter_events(response):
                    if state.accept(event):
                        failures = 0
                        yield event
                    if state.finished:
                        return
            return
        except httpx.TransportError as exc:
            call = state.resume_call(exc)
            if failures >= http.max_retries:
                raise _give_up(exc) from exc
            await _http._async_sleep(backoff(failures))
            failures += 1


class _StreamInfo:
    _state: ResumeState

    @property
    def run_id(self) -> str | None:
        """The run's id, once the `on_message_start` frame has arrived."""
        return self._state.run_id

    @property
    def thread_id(self) -> str | None:
        """The run's thread id (for a stateless run: once `on_agent_start` has arrived)."""
        return self._state.thread_id

    @property
    def last_event_id(self) -> str | None:
        """The id of the last frame received: pass it to `runs.join_stream` to resume later."""
        return self._state.last_event_id


class EventStream(_StreamInfo):
    """An iterator of `StreamEvent`s; the request is sent on the first `next()`.

    Use it in a `with` block (or call `close()`) to release the connection when stopping early.
    """

    def __init__(self, http: SyncHTTP, call: Call, state: ResumeState) -> None:
        self._state = state
        self._events = resumable(http, call, state)

    def __iter__(self) -> Iterator[StreamEvent]:
        return self

    def __next__(self) -> StreamEvent:
        return next(self._events)

    def close(self) -> None:
        """Stop the stream and release its connection."""
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncEventStream(_StreamInfo):
    """An async iterator of `StreamEvent`s; the request is sent on the first `anext()`.

    Use it in an `async with` block (or call `aclose()`) to release the connection when stopping early.
    """

    def __init__(self, http: AsyncHTTP, call: Call, state: ResumeState) -> None:
        self._state = state
        self._events = aresumable(http, call, state)

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Stop the stream and release its connection."""
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
