"""The SSE response every stream and join answers with: frames → bytes (runs/sse.py), keep-alives, the
stream's slot given back however the response ends, the run cancelled when its client leaves (if asked)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from xpert_server.runs.sse import KEEPALIVE, MEDIA_TYPE, SSE_HEADERS, Frame


class SSEResponse(StreamingResponse):
    """A StreamingResponse that gives its stream slot back when it ends, however it ends."""

    def __init__(self, *args: Any, release: Callable[[], None], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.release()


def sse_response(
    frames: AsyncIterator[Frame | list[Frame] | None],
    on_disconnect: Callable[[], Awaitable[None]] | None = None,
    release: Callable[[], None] = lambda: None,
    render: Callable[[Frame], bytes | None] = Frame.encode,
    headers: dict[str, str] | None = None,
) -> StreamingResponse:
    """The SSE response. `frames`: frames, or lists of frames readable at once (a run's own stream,
    `RunService.follow_batches`), each list sent as one chunk — one write through the middlewares and
    the socket instead of one per frame. `on_disconnect` runs when the client leaves before `complete`;
    `release` (the stream's slot, limits/streams.py) when the response ends; `render` encodes a frame in
    the run's protocol (None: not sent)."""

    async def body() -> AsyncIterator[bytes]:
        finished = False
        try:
            async for item in frames:
                if item is None:
                    yield KEEPALIVE
                    continue
                if isinstance(item, Frame):
                    if item.event == "complete":
                        finished = True
                    data = render(item)
                    if data is not None:
                        yield data
                    continue
                chunks = []
                for frame in item:
                    if frame.event == "complete":
                        finished = True
                    data = render(frame)
                    if data is not None:
                        chunks.append(data)
                if chunks:
                    yield b"".join(chunks)
        finally:
            if not finished and on_disconnect is not None:
                await asyncio.shield(on_disconnect())

    return SSEResponse(
        body(), media_type=MEDIA_TYPE, headers={**SSE_HEADERS, **(headers or {})}, release=release
    )
