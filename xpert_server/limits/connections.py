"""Slow clients cut off: time limits on request heads and bodies, and a cap on open connections.

uvicorn waits as long as a client likes for the rest of a request head or body, so a few thousand
connections sending a byte now and then (slowloris) hold as many file descriptors, and once the process
has none left every request fails. `GuardedProtocol` (uvicorn's httptools protocol, with the head-size
limit of headers.py) adds:
- a head timer: from connecting, or from a request's first byte on a kept-alive connection, the head must
  be complete within `head_timeout` s, else 408 and close;
- a body timer: once the head is in, the body must be complete within `body_timeout` s and may not go
  `body_idle_timeout` s without a byte (time the server itself stops reading, to apply back-pressure, is
  not the client's fault and does not count), else 408 and close;
- a cap on open connections per process: past it, the connection that has waited longest for its head
  (an idle keep-alive one, a half-sent head), else the one that has waited longest for its body, is closed
  to make room; if every connection is busy with a request, the new one is closed. A warning says so, at
  most every LOG_EVERY s.
Connections whose request is being answered (streams included) are never closed by these limits.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass

from xpert_server.config import Settings
from xpert_server.encoding import dumps
from xpert_server.errors import envelope
from xpert_server.limits.headers import HeaderLimitedProtocol, connection_cap

log = logging.getLogger("xpert.http")
LOG_EVERY = 10.0


@dataclass(frozen=True)
class GuardLimits:
    head_timeout: float
    body_timeout: float
    body_idle_timeout: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings, max_connections: int) -> GuardLimits:
        return cls(settings.head_timeout, settings.body_timeout, settings.body_idle_timeout, max_connections)


@functools.lru_cache(maxsize=16)  # a few distinct messages; thousands of connections may time out at once
def response_408(message: str) -> bytes:
    body = dumps(envelope(408, message))
    return (
        b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
    )


class _Evictable:
    """This process's connections that may be closed to make room, oldest first (dicts keep order)."""

    def __init__(self) -> None:
        self.heads: dict[GuardedProtocol, None] = {}  # waiting for a request head
        self.bodies: dict[GuardedProtocol, None] = {}  # waiting for a request body
        self.evicted = 0
        self.refused = 0
        self.logged = 0.0

    def oldest(self, besides: GuardedProtocol) -> GuardedProtocol | None:
        for waiting in (self.heads, self.bodies):
            for conn in waiting:
                if conn is not besides:
                    return conn
        return None

    def note(self, limit: int) -> None:
        now = time.monotonic()
        if now - self.logged >= LOG_EVERY:
            self.logged = now
            log.warning(
                "Open connections reached the limit of %d (XPERT_MAX_CONNECTIONS): %d waiting connections "
                "closed to make room, %d new ones refused so far.",
                limit,
                self.evicted,
                self.refused,
            )


class GuardedProtocol(HeaderLimitedProtocol):  # type: ignore[misc,valid-type]
    # None: read XPERT_* (the processes `xpert serve --workers N` starts).
    limits: GuardLimits | None = None
    waiting = _Evictable()

    @classmethod
    def current(cls) -> GuardLimits:
        if cls.limits is None:
            settings = Settings.from_env()
            cls.limits = GuardLimits.from_settings(settings, connection_cap(settings))
        return cls.limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._timer: asyncio.TimerHandle | None = None
        self._head_bytes_seen = False
        self._body_start = self._body_last = 0.0
        super().connection_made(transport)
        self._await_head()
        limit = self.current().max_connections
        if len(self.connections) > limit:
            victim = self.waiting.oldest(besides=self)
            if victim is not None:
                self.waiting.evicted += 1
                victim._close(None)
            else:
                self.waiting.refused += 1
                self._close(None)
            self.waiting.note(limit)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    # ---- the head -------------------------------------------------------------------------------------
    def _await_head(self) -> None:
        self._stop()
        self.waiting.heads[self] = None
        self._head_bytes_seen = False
        self._timer = self.loop.call_later(self.current().head_timeout, self._head_late)

    def data_received(self, data: bytes) -> None:
        if self._timer is None and self.cycle is not None and self.cycle.response_complete:
            self._await_head()  # the first bytes of the next request on a kept-alive connection
        self._head_bytes_seen = self._head_bytes_seen or self._in_head
        super().data_received(data)

    def _head_late(self) -> None:
        self._timer = None
        limit = self.current().head_timeout
        self._close(f"Request head not received within {limit:g} s." if self._head_bytes_seen else None)

    def on_headers_complete(self) -> None:
        self._stop()
        super().on_headers_complete()
        cycle = self.cycle  # more_body stays True until on_message_complete, which may follow at once
        if cycle is None or not cycle.more_body or cycle.response_complete or self.transport.is_closing():
            return
        now = self.loop.time()
        self._body_start = self._body_last = now
        self.waiting.bodies[self] = None
        self._timer = self.loop.call_later(self._body_check_in(now), self._body_check)

    # ---- the body -------------------------------------------------------------------------------------
    def on_body(self, body: bytes) -> None:
        self._body_last = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._stop()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self._stop()  # an answer that did not read its body: the body's time no longer matters
        super().on_response_complete()
        if self.pipeline or self.transport.is_closing():
            return
        self.waiting.heads[self] = None  # idle until the next request: evictable, timed by keep-alive

    def _body_check_in(self, now: float) -> float:
        limits = self.current()
        return max(
            min(self._body_start + limits.body_timeout, self._body_last + limits.body_idle_timeout) - now,
            0.01,
        )

    def _body_check(self) -> None:
        self._timer = None
        limits, now = self.current(), self.loop.time()
        if self.flow.read_paused:
            self._body_last = now  # the server is not reading: the client is not late
        if now - self._body_start >= limits.body_timeout:
            self._close(f"Request body not received within {limits.body_timeout:g} s.")
        elif now - self._body_last >= limits.body_idle_timeout:
            self._close(f"Request body stalled for {limits.body_idle_timeout:g} s.")
        else:
            self._timer = self.loop.call_later(self._body_check_in(now), self._body_check)

    # ---- both -----------------------------------------------------------------------------------------
    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.waiting.heads.pop(self, None)
        self.waiting.bodies.pop(self, None)

    def _close(self, reason: str | None) -> None:
        """Close, with a 408 saying why when a request was under way and nothing has been answered yet."""
        self._stop()
        if self.transport.is_closing():
            return
        if reason is not None and (self.cycle is None or not self.cycle.response_started):
            self.transport.write(response_408(reason))
            if self.cycle is not None:
                self.cycle.response_started = True  # the app's own answer, if it ever comes, is dropped
        self.transport.close()
