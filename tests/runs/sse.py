"""A small SSE reader for the run tests: frames of `id`, `event` and JSON `data`; comments ignored.

`parse(text)` reads a whole (buffered) body; `FrameReader` reads a live httpx stream line by line, so a
test can stop after a few frames while the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class SseFrame:
    id: str | None = None
    event: str | None = None
    raw: str = ""  # the `data:` text exactly as sent (lines joined with "\n")
    fields: list[str] = field(default_factory=list)  # field names in the order they came

    @property
    def data(self) -> Any:
        return json.loads(self.raw)

    @property
    def seq(self) -> int:
        assert self.id is not None, f"frame without an id: {self}"
        return int(self.id)

    @property
    def kind(self) -> str:
        """`complete`, an event name (`on_agent_end`…), or `message:<type>` for content deltas."""
        if self.event:
            return self.event
        payload = self.data
        if payload.get("type") == "event":
            return str(payload["event"])
        if payload.get("type") == "message":
            data = payload.get("data")
            return f"message:{data.get('type') if isinstance(data, dict) else 'str'}"
        return str(payload.get("type"))


class _Builder:
    def __init__(self) -> None:
        self.frame = SseFrame()
        self.data: list[str] = []
        self.comments = 0

    def line(self, line: str) -> SseFrame | None:
        """Feed one line (without its newline); returns a frame when a blank line ends one."""
        if line == "":
            if not self.data and self.frame.id is None and self.frame.event is None:
                return None  # a stray blank line (e.g. after a comment)
            frame, self.frame = self.frame, SseFrame()
            frame.raw = "\n".join(self.data)
            self.data = []
            return frame
        if line.startswith(":"):
            self.comments += 1
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        self.frame.fields.append(name)
        if name == "id":
            self.frame.id = value
        elif name == "event":
            self.frame.event = value
        elif name == "data":
            self.data.append(value)
        return None


def parse(text: str) -> list[SseFrame]:
    builder = _Builder()
    out = []
    for line in text.split("\n"):
        frame = builder.line(line.rstrip("\r"))
        if frame is not None:
            out.append(frame)
    assert not builder.data, f"unterminated frame at the end of the stream: {builder.data}"
    return out


class FrameReader:
    """Frames of a live `client.stream(...)` response, one at a time."""

    def __init__(self, response: httpx.Response):
        self.response = response
        self._lines: AsyncIterator[str] = response.aiter_lines()
        self._builder = _Builder()
        self.frames: list[SseFrame] = []

    @property
    def comments(self) -> int:
        return self._builder.comments

    async def next(self) -> SseFrame | None:
        """The next frame, or None when the response ends."""
        async for line in self._lines:
            frame = self._builder.line(line)
            if frame is not None:
                self.frames.append(frame)
                return frame
        return None

    async def until(self, predicate: Any) -> SseFrame:
        while True:
            frame = await self.next()
            assert frame is not None, "the stream ended first"
            if predicate(frame):
                return frame

    async def rest(self) -> list[SseFrame]:
        """Read to the end of the response; returns the frames read by this call."""
        start = len(self.frames)
        while await self.next() is not None:
            pass
        return self.frames[start:]
