"""An incremental Server-Sent Events parser.

Bytes go in as they arrive; a `StreamEvent` comes out at each blank line that ends a frame. Comments
(`: keep-alive`) and frames without data produce nothing: unlike the JS SDK, no spurious `data: null`
event follows a keep-alive. Data is JSON-decoded; data that is not JSON (XpertAI's plain-text
`event: error` frames) is kept as the raw string.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["SSEDecoder", "StreamEvent", "aiter_events", "iter_events"]


@dataclass(frozen=True)
class StreamEvent:
    """One SSE frame: its `id:` (None when it had none), `event:` name ("" when none) and decoded data."""

    id: str | None
    event: str
    data: Any


class SSEDecoder:
    """Turns chunks of an `text/event-stream` body into `StreamEvent`s."""

    def __init__(self) -> None:
        self._pending = b""  # an unterminated line
        self._skip_lf = False  # the previous chunk ended in "\r": a leading "\n" belongs to it
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self.last_event_id: str | None = None
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        """Consume `chunk`; return the frames it completes."""
        if self._skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self._skip_lf = False
        lines = (self._pending + chunk).splitlines(keepends=True)
        self._pending = b""
        if lines and not lines[-1].endswith((b"\n", b"\r")):
            self._pending = lines.pop()
        if lines and lines[-1].endswith(b"\r"):
            self._skip_lf = True
        events: list[StreamEvent] = []
        for line in lines:
            event = self.decode_line(line.rstrip(b"\r\n").decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[StreamEvent]:
        """At a clean end of stream: the last frame, if the server omitted its final blank line."""
        events = self.feed(b"\n") if self._pending else []
        event = self.decode_line("")
        return events + ([event] if event is not None else [])

    def decode_line(self, line: str) -> StreamEvent | None:
        """Consume one line (without its terminator); return a frame when the line ends one."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
            self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self) -> StreamEvent | None:
        event, data, frame_id = self._event, self._data, self._id
        self._event, self._data, self._id = None, [], None
        if not data and event is None:
            return None
        return StreamEvent(id=frame_id, event=event or "", data=_decode_data("\n".join(data)))


def _decode_data(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def iter_events(response: httpx.Response) -> Iterator[StreamEvent]:
    """The frames of a streaming `httpx.Response`, as they arrive."""
    decoder = SSEDecoder()
    for chunk in response.iter_bytes():
        yield from decoder.feed(chunk)
    yield from decoder.flush()


async def aiter_events(response: httpx.Response) -> AsyncIterator[StreamEvent]:
    """The frames of a streaming `httpx.Response` from an `httpx.AsyncClient`, as they arrive."""
    decoder = SSEDecoder()
    async for chunk in response.aiter_bytes():
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.flush():
        yield event
