"""The SDK suite's helpers: a TCP proxy in front of the served server whose connections we cut, and calls that
work on sync and async SDK objects alike. The server itself is tests/harness/served.py's."""

from __future__ import annotations

import inspect
import socket
import struct
import threading
from typing import Any

from xpert_sdk import StreamEvent


class CuttingProxy:
    """Forwards TCP connections to `target_port`, and can cut them the way a flaky network does.

    `cut()` closes every open connection at once (both directions, with a reset so the client sees an
    abrupt end, not a clean one). `cut_after(n)` makes the *next* connection die after it forwarded `n`
    response bytes, which lands mid-frame.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self.cuts = 0
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut_after: int | None = None
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def url(self, prefix: str = "/api/ai") -> str:
        return f"http://127.0.0.1:{self.port}{prefix}"

    def cut_after(self, response_bytes: int) -> None:
        self._cut_after = response_bytes

    def cut(self) -> None:
        with self._lock:
            victims, self._open = self._open, []
            self.cuts += 1
        for s in victims:
            _reset(s)

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.sock.close()
        self.cut()
        self._accepter.join(timeout=5)

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            limit, self._cut_after = self._cut_after, None
            with self._lock:
                self.connections += 1
                self._open += [downstream, upstream]
            threading.Thread(target=self._pump, args=(downstream, upstream, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, downstream, limit), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[: limit - sent])
                    self.cut()
                    return
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _reset(s: socket.socket) -> None:
    try:
        # SO_LINGER 0: close() sends RST, so the client cannot mistake the cut for a clean end.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


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


def text_of(events: list[StreamEvent]) -> str:
    from xpert_sdk import text_delta

    return "".join(delta for event in events if (delta := text_delta(event)))


def event_names(events: list[StreamEvent]) -> list[str]:
    """The `event` names of the lifecycle frames, then "complete"."""
    names = []
    for event in events:
        data = event.data
        if isinstance(data, dict) and data.get("type") == "event":
            names.append(str(data.get("event")))
        elif event.event == "complete":
            names.append("complete")
    return names
