"""Helpers shared by the SDK tests (sync and async clients driven the same way)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
from xpert_sdk import StreamEvent

Handler = Callable[[httpx.Request], httpx.Response]
ClientFactory = Callable[..., Any]  # the `make_client` fixture: (handler, **client options) -> client


async def call(method: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a sync or async SDK method and return its result."""
    result = method(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


async def collect(stream: Any) -> list[StreamEvent]:
    """All events of an `EventStream` or `AsyncEventStream`."""
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


def json_response(body: Any, status_code: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status_code, json=body, headers=headers)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


class Replies:
    """A mock-transport handler answering with canned responses in order (the last repeats), recording requests."""

    def __init__(self, *responses: httpx.Response | Exception | Callable[[], httpx.Response]) -> None:
        self._responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self._responses.pop(0) if len(self._responses) > 1 else self._responses[0]
        if callable(reply):  # a factory: a fresh streaming response each time
            reply = reply()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply.stream, httpx.ByteStream):  # a fresh copy, so a canned reply can repeat
            return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)
        return reply


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body sent in the given chunks, optionally breaking with `error` at the end."""

    def __init__(self, chunks: Iterable[bytes], error: Exception | None = None) -> None:
        self._chunks = list(chunks)
        self._error = error
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._error is not None:
            raise self._error

    async def __aiter__(self) -> Any:
        for chunk in self._chunks:
            yield chunk
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def sse_response(body: bytes, *, chunk_size: int = 0, error: Exception | None = None) -> httpx.Response:
    """A `text/event-stream` response of `body`, cut into chunks of `chunk_size` (0: one chunk)."""
    size = chunk_size or max(len(body), 1)
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunks(chunks, error))


def frame(frame_id: str, data: Any, event: str | None = None) -> bytes:
    """One SSE frame as the server writes it."""
    head = f"event: {event}\n" if event else ""
    return f"{head}id: {frame_id}\ndata: {json.dumps(data)}\n\n".encode()


def run_frames(run_id: str = "run-1", thread_id: str = "t-1") -> list[tuple[str, bytes]]:
    """A normal run's frames (the reference's §3.4 stream), as `(id, bytes)`."""
    ids = [f"17325200000{n:02d}-0" for n in range(1, 11)]
    payloads: list[tuple[Any, str | None]] = [
        ({"type": "event", "event": "on_conversation_start", "data": {"id": "c-1", "status": "busy"}}, None),
        (
            {
                "type": "event",
                "event": "on_message_start",
                "data": {
                    "id": "m-1",
                    "role": "ai",
                    "content": "",
                    "executionId": run_id,
                    "conversationId": "c-1",
                },
            },
            None,
        ),
        (
            {
                "type": "event",
                "event": "on_agent_start",
                "data": {"id": run_id, "agentKey": "Agent_abc", "status": "running", "threadId": thread_id},
            },
            None,
        ),
        (
            {
                "type": "message",
                "data": {
                    "id": "call_1",
                    "type": "component",
                    "data": {"category": "Tool", "status": "running"},
                },
            },
            None,
        ),
        ({"type": "message", "data": {"type": "text", "text": "Hi! I am", "id": "lc-9"}}, None),
        ({"type": "message", "data": {"type": "text", "text": " your assistant.", "id": "lc-9"}}, None),
        ({"type": "event", "event": "on_agent_end", "data": {"id": run_id, "status": "success"}}, None),
        ({"type": "event", "event": "on_message_end", "data": {"id": "m-1", "status": "success"}}, None),
        ({"type": "event", "event": "on_conversation_end", "data": {"id": "c-1", "status": "idle"}}, None),
        ({"type": "complete"}, "complete"),
    ]
    return [(fid, frame(fid, data, event)) for fid, (data, event) in zip(ids, payloads, strict=True)]


def recorded_stream(frames: list[tuple[str, bytes]]) -> bytes:
    """Frames as on the wire: NestJS's leading blank line and `: keep-alive` comments in between."""
    out = b"\n"
    for index, (_, raw) in enumerate(frames):
        out += raw
        if index % 3 == 2:
            out += b": keep-alive\n\n"
    return out
