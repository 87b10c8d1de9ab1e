"""A size limit on request heads (request line and headers) for `xpert serve`.

uvicorn's httptools protocol reads a request line and headers of any size: a client could make the server
hold megabytes of headers per connection. `HeaderLimitedProtocol` measures each request's head before the
parser sees its bytes and, past `max_header_bytes`, answers 431 (the error envelope) and closes the
connection. (uvicorn's h11 protocol has its own limit, `h11_max_incomplete_event_size`, set to the same.)
"""

from __future__ import annotations

import asyncio
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
    return (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body))


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


def http_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run keyword arguments enforcing `settings.max_header_bytes` with either HTTP implementation."""
    options: dict[str, Any] = {"h11_max_incomplete_event_size": settings.max_header_bytes}
    if HttpToolsProtocol is not None:
        HeaderLimitedProtocol.max_header_bytes = settings.max_header_bytes
        options["http"] = HeaderLimitedProtocol
    return options
