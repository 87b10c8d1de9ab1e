"""Limits on what a client may make `xpert serve` hold: head size, head and body time, open connections.

uvicorn's httptools protocol reads a request line and headers of any size: a client could make the server
hold megabytes of headers per connection. `HeaderLimitedProtocol` measures each request's head before the
parser sees its bytes and, past `max_header_bytes`, answers 431 (the error envelope) and closes the
connection. (uvicorn's h11 protocol has its own limit, `h11_max_incomplete_event_size`, set to the same.)

uvicorn also waits forever for a head or a body that never finishes, and accepts connections until the
process runs out of file descriptors (then every request fails). `GuardedProtocol` (connections.py) adds time
limits on heads and bodies and a cap on open connections.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

from xpert_server.config import Settings
from xpert_server.encoding import dumps
from xpert_server.errors import envelope

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: uvicorn uses h11, limited by h11_max_incomplete_event_size
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


def response_431(limit: int) -> bytes:
    body = dumps(envelope(431, f"Request headers are larger than the limit of {limit} bytes."))
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body)
    )


if HttpToolsProtocol is not None:

    class HeaderLimitedProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        # None: read XPERT_MAX_HEADER_BYTES (the processes `xpert serve --workers N` starts).
        max_header_bytes: int | None = None

        @classmethod
        def limit(cls) -> int:
            if cls.max_header_bytes is None:
                cls.max_header_bytes = Settings.from_env().max_header_bytes
            return cls.max_header_bytes

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._reset_head()
            super().connection_made(transport)

        def _reset_head(self) -> None:
            self._in_head = True  # a request's head (request line and headers) is being received
            self._head_bytes = 0
            self._tail = b""  # the last bytes seen, for a blank line split across chunks

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._reset_head()  # the next request on this connection

        def data_received(self, data: bytes) -> None:
            # Checked before the parser sees the bytes: it would hold a head of any size.
            if self._in_head and not self._head_fits(data):
                limit = self.limit()
                self.logger.warning("Request head larger than %d bytes: answered 431.", limit)
                self.transport.write(response_431(limit))
                self.transport.close()
                return
            super().data_received(data)

        def _head_fits(self, data: bytes) -> bool:
            window = self._tail + data
            end = window.find(b"\r\n\r\n")
            if end >= 0:  # the head ends in this chunk: its size is known
                return self._head_bytes - len(self._tail) + end + 4 <= self.limit()
            self._head_bytes += len(data)
            self._tail = window[-3:]
            return self._head_bytes <= self.limit()


# Descriptors kept for what a process opens besides client connections: database and Redis pools, stored
# files, the pipes of parse processes, logs.
FD_RESERVE = 128
log = logging.getLogger("xpert.http")


def raise_open_files_limit() -> int:
    """Raise this process's soft open-files limit to its hard limit (many distributions start at 1,024
    while allowing far more); returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard)
            )
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connection_cap(settings: Settings) -> int:
    """XPERT_MAX_CONNECTIONS, or by default what the open-files limit allows once FD_RESERVE is kept back."""
    if settings.max_connections > 0:
        return settings.max_connections
    return max(raise_open_files_limit() - FD_RESERVE, 64)


def http_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run keyword arguments enforcing the limits of `settings` (head size with either HTTP
    implementation; head and body time and the connection cap with httptools, uvicorn's default)."""
    options: dict[str, Any] = {
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "timeout_keep_alive": settings.http_keepalive_timeout,
    }
    if HttpToolsProtocol is not None:
        from xpert_server.limits.connections import GuardedProtocol, GuardLimits

        HeaderLimitedProtocol.max_header_bytes = settings.max_header_bytes
        GuardedProtocol.limits = GuardLimits.from_settings(settings, connection_cap(settings))
        options["http"] = GuardedProtocol
    else:
        log.warning(
            "httptools is not installed: no time limits on request heads and bodies, no connection cap."
        )
    return options
