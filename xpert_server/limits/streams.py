"""A limit on open followers per credential (`XPERT_MAX_STREAMS_PER_CREDENTIAL`, default 100; 0 = off).

A follower — a stream, a join of a stream, a `wait` or `join` (threaded or stateless) — holds a connection,
a follower of the event log and memory for as long as a run lasts; without a limit one key or one client
secret could open thousands. Every follower takes a slot the same way: streams through `stream_slot` (the
response gives it back), `wait`/`join` through `follower_slot` + `until_disconnected`. The count is this
process's (each API process of a scaled deployment limits its own). A slot is taken before a run starts,
so a refused follower (429) starts nothing, and is given back when the follower ends, however it ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from starlette.requests import Request

from xpert_server.auth.principal import Principal
from xpert_server.errors import ApiError, TooManyRequests

T = TypeVar("T")


class ClientGone(ApiError):
    """The client closed the connection while waiting: nobody reads this answer (nginx calls it 499)."""

    status_code = 499


class StreamSlots:
    def __init__(self, limit: int):
        self.limit = limit
        self.open: dict[str, int] = {}

    def acquire(self, p: Principal) -> Callable[[], None]:
        """Take a slot for `p`'s credential (429 when all are taken); returns its idempotent release."""
        credential = p.secret_id or p.key_id
        if self.limit <= 0 or credential is None:
            return lambda: None
        taken = self.open.get(credential, 0)
        if taken >= self.limit:
            raise TooManyRequests(
                f"Too many open streams: at most {self.limit} at once for this credential.",
                headers={"Retry-After": "1"},
            )
        self.open[credential] = taken + 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            left = self.open.get(credential, 1) - 1
            if left > 0:
                self.open[credential] = left
            else:
                self.open.pop(credential, None)

        return release


def stream_slot(request: Request, p: Principal) -> Callable[[], None]:
    slots: StreamSlots | None = getattr(request.app.state, "stream_slots", None)
    return slots.acquire(p) if slots is not None else (lambda: None)


@asynccontextmanager
async def follower_slot(request: Request, p: Principal) -> AsyncIterator[None]:
    """A slot for a `wait`/`join` follower (429 when all are taken), held until the block ends."""
    release = stream_slot(request, p)
    try:
        yield
    finally:
        release()


async def until_disconnected(request: Request, result: Awaitable[T]) -> T:
    """`result`, unless the client leaves first: then it is cancelled (its follower and slot freed now, not
    when the run ends) and `ClientGone` raised. The request body has been read by then, so the next ASGI
    message is the disconnect."""
    task = asyncio.ensure_future(result)
    watcher = asyncio.ensure_future(_disconnect(request))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if task.cancelled():
        raise ClientGone("The client closed the connection.")
    return task.result()


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass
