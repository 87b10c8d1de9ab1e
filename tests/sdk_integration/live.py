"""A real `xpert serve` subprocess for the SDK, and a TCP proxy in front of it whose connections we cut.

The server runs on SQLite in a temporary data dir with `XPERT_API_KEY=sk-x-<random>` and the test xperts
of `xperts/` (`--xperts`); it seeds the demo xpert (`demo`, org `default`) on its first start.
"""

from __future__ import annotations

import inspect
import os
import secrets
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from xpert_sdk import StreamEvent

from tests.helpers import free_port

HERE = Path(__file__).parent
XPERTS_DIR = HERE / "xperts"
BIN = Path(sys.executable).parent
XPERT = BIN / "xpert"


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without the caller's XPERT_* / XPERTAI_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPERT_", "XPERTAI_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


@dataclass
class LiveServer:
    url: str
    key: str
    proc: subprocess.Popen[str]
    data_dir: Path
    log: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.log)

    def has_route(self, method: str, route: str) -> bool:
        """Whether the server's OpenAPI document lists `method route` (e.g. "post", "/contexts/file")."""
        spec = httpx.get(f"{self.url}/openapi.json", timeout=10).json()
        prefix = httpx.URL(self.url).path.rstrip("/")
        return method.lower() in spec.get("paths", {}).get(prefix + route, {})

    def client_env(self, url: str | None = None) -> dict[str, str]:
        """The environment an SDK program needs to reach this server."""
        return clean_env(XPERTAI_API_URL=url or self.url, XPERTAI_API_KEY=self.key)


@contextmanager
def live_server(data_dir: Path, xperts_dir: Path = XPERTS_DIR) -> Iterator[LiveServer]:
    port = free_port()
    key = f"sk-x-{secrets.token_hex(16)}"
    proc = subprocess.Popen(
        [str(XPERT), "serve", "--port", str(port), "--data-dir", str(data_dir), "--xperts", str(xperts_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env(XPERT_API_KEY=key),
    )  # fmt: skip
    server = LiveServer(url=f"http://127.0.0.1:{port}/api/ai", key=key, proc=proc, data_dir=data_dir)
    assert proc.stdout is not None
    pipe = proc.stdout
    # Drained continuously, so a chatty server never blocks on a full pipe.
    reader = threading.Thread(target=lambda: server.log.extend(iter(pipe.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"server exited ({proc.returncode}):\n{server.output()}"
            assert time.monotonic() < deadline, f"server never answered /ok:\n{server.output()}"
            try:
                if httpx.get(f"{server.url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        reader.join(timeout=5)


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
