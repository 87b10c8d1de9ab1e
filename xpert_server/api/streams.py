"""A limit on open SSE streams per credential (`XPERT_MAX_STREAMS_PER_CREDENTIAL`, default 100; 0 = off).

A stream holds a connection, a follower of the event log and memory for as long as a run lasts; without a
limit one key or one client secret could open thousands. The count is this process's (each API process
of a scaled deployment limits its own streams). A slot is taken before a run starts, so a refused stream
(429) starts nothing, and is given back when the response ends, however it ends.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from xpert_server.auth.principal import Principal
from xpert_server.errors import TooManyRequests


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
