"""A real HTTP receiver on loopback for webhook tests: records every request (headers, body, time) and
answers with the statuses a test scripts (e.g. 500, 500, then 200)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.harness.uvicorn import serve_in_process
from xpert_server.encoding import loads


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    statuses: list[int] = field(default_factory=list)  # answers in order; 200 once they run out
    got: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def hook(self, request: Request) -> PlainTextResponse:
        self.got.append(
            Received({k.lower(): v for k, v in request.headers.items()}, await request.body(), time.time())
        )
        self.arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        return PlainTextResponse(f"answered {status}", status_code=status)

    async def until(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Wait until `count` requests arrived (AssertionError after `timeout` s)."""
        deadline = time.monotonic() + timeout
        while len(self.got) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"{len(self.got)} of {count} webhook requests arrived"
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                pass
        return self.got


@asynccontextmanager
async def receiving(*statuses: int) -> AsyncIterator[Receiver]:
    receiver = Receiver(statuses=list(statuses))
    app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
    async with serve_in_process(app) as server:
        receiver.url = f"{server.base_url}/hook"
        yield receiver
