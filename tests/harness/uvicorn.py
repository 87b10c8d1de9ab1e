"""An app served by a real uvicorn inside the test process (true streaming, concurrent clients) — for an app
whose lifespan the caller already runs. A separate process is tests/harness/served.py's job."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

import httpx
import uvicorn
from starlette.types import ASGIApp


@dataclass
class InProcessServer:
    """The app on 127.0.0.1:<free port>; `base_url` includes the API prefix."""

    base_url: str
    server: uvicorn.Server
    task: asyncio.Task[None]

    def client(self, key: str | None = None, timeout: float = 20.0) -> httpx.AsyncClient:
        headers = {"x-api-key": key} if key else {}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout)


def bound_socket() -> socket.socket:
    """A loopback socket bound to a free port, not yet listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve_in_process(
    app: ASGIApp,
    prefix: str = "",
    *,
    sock: socket.socket | None = None,
    lifespan: Literal["on", "off"] = "off",
) -> AsyncIterator[InProcessServer]:
    """Serve `app` until the block ends, on `sock` when given (a port known before the app is made) else a
    free one. Lifespan off by default: the caller runs it (open_harness)."""
    sock = sock or bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="live-uvicorn")
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert not task.done(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            await asyncio.sleep(0.01)
        yield InProcessServer(base_url=f"http://127.0.0.1:{port}{prefix}", server=server, task=task)
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, 10)
        sock.close()
