"""The one SSE writer: a stored frame → bytes on the wire.

Frames are data-only (`id:` + `data:`), as XpertAI's server sends them; only the last frame carries
`event: complete`, and failures after the response started carry `event: error` with JSON data.
"""

from __future__ import annotations

from dataclasses import dataclass

KEEPALIVE = b": keep-alive\n\n"
# Line breaks for `str.splitlines`, which some SSE clients split on (httpx's `iter_lines`, so httpx-sse):
# JSON may carry U+0085, U+2028 and U+2029 raw inside strings, so they go out escaped (same JSON value).
_LINE_BREAKS = ((b"\xc2\x85", b"\\u0085"), (b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))
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
        return self.encode_as(b"%d" % self.seq)

    def encode_as(self, event_id: bytes) -> bytes:
        """The frame under another event id (a thread's stream names the run too: runs/threadstream.py)."""
        head = b"event: " + self.event.encode() + b"\n" if self.event else b""
        data = self.data
        if b"\xc2\x85" in data or b"\xe2\x80" in data:
            for raw, escaped in _LINE_BREAKS:
                data = data.replace(raw, escaped)
        return b"%sid: %s\ndata: %s\n\n" % (head, event_id, data)
