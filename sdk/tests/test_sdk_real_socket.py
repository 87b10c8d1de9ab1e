"""A stream cut by a real socket close (no final chunk) resumes, sync and async, over real HTTP/1.1."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from sdk_testkit import collect, recorded_stream, run_frames
from xpert_sdk import AsyncClient, Client

FRAMES = run_frames()
CUT = 5


class DroppingServer:
    """Answers odd requests with the first frames then closes mid-frame; even ones with the rest."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.request_heads: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/ai"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                self.request_heads.append(data.split(b"\r\n\r\n")[0].decode())
                first = len(self.request_heads) % 2 == 1
                body = (
                    recorded_stream(FRAMES[:CUT]) + FRAMES[CUT][1][:15]
                    if first
                    else recorded_stream(FRAMES[CUT:])
                )
                head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                conn.sendall(head + b"%x\r\n%s\r\n" % (len(body), body) + (b"" if first else b"0\r\n\r\n"))

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    running = DroppingServer()
    yield running
    running.close()


async def test_real_dropped_connection_resumes(mode: str, server: DroppingServer) -> None:
    if mode == "sync":
        with Client(server.url, "sk-x-test") as client:
            events = await collect(client.runs.stream("t-1", "x-1"))
    else:
        async with AsyncClient(server.url, "sk-x-test") as aclient:
            events = await collect(aclient.runs.stream("t-1", "x-1"))

    assert [event.id for event in events] == [frame_id for frame_id, _ in FRAMES]
    first, second = server.request_heads
    assert first.startswith("POST /api/ai/threads/t-1/runs/stream ")
    assert second.startswith("GET /api/ai/threads/t-1/runs/run-1/stream ")
    assert f"last-event-id: {FRAMES[CUT - 1][0]}" in second.lower()
