"""The one SSE writer: a stored frame → bytes on the wire.

Frames are data-only (`id:` + `data:`), as XpertAI's server sends them; only the last frame carries
`event: complete`, and failures after the response started carry `event: error` with JSON data.
"""

from __future__ import annotations

from dataclasses import dataclass

KEEPALIVE = b": keep-alive\n\n"
SSE_HEADERS = {
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "connection": "keep-alive",
}
MEDIA_TYPE = "text/event-stream"


@dataclass(frozen=True, slots=True)
class Frame:
    seq: int
    event: str | None
    data: bytes  # compact JSON: never contains a raw newline

    def encode(self) -> bytes:
        head = b"event: " + self.event.encode() + b"\n" if self.event else b""
        return b"%sid: %d\ndata: %s\n\n" % (head, self.seq, self.data)


def error_frame(message: str) -> bytes:
    """For failures outside any run (nothing stored to replay): JSON data, unlike XpertAI's plain text."""
    from xpert_server.encoding import dumps

    return b"event: error\ndata: " + dumps({"message": message}) + b"\n\n"
