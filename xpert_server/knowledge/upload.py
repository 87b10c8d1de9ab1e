"""Receive `multipart/form-data` uploads as a stream: the `file` part goes straight to the file store
in the chunks the network delivers, so memory use does not grow with the file.

Starlette's own form parser would first spool the part to a temporary file of its own; here the
bytes are counted as they arrive (413 past the limit) and an upload that fails for any reason,
including the client hanging up or `BodyLimitMiddleware` cutting it off, leaves nothing on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from xpert_server.errors import BadRequest, PayloadTooLarge
from xpert_server.knowledge.filestore import FileStore, FileWriter
from xpert_server.knowledge.parse import SNIFF_BYTES

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50
FILE_FIELD = "file"


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    content_type: str | None = None
    size: int = 0
    sha256: str = ""
    head: bytes = b""


class _Parts:
    """python-multipart callbacks; file bytes are buffered per network chunk and flushed by the caller."""

    def __init__(self, received: Received, max_bytes: int):
        self.received = received
        self.max_bytes = max_bytes
        self.pending: list[bytes] = []
        self.file_seen = False
        self.complete = False  # the closing boundary arrived: a body cut short never gets here
        self._in_file = False
        self._name: str | None = None
        self._data = bytearray()
        self._hname = b""
        self._hvalue = b""
        self._disposition = b""
        self._ctype = b""

    def on_part_begin(self) -> None:
        self._in_file, self._name, self._data = False, None, bytearray()
        self._disposition = self._ctype = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def on_header_end(self) -> None:
        name = self._hname.lower()
        if name == b"content-disposition":
            self._disposition = self._hvalue
        elif name == b"content-type":
            self._ctype = self._hvalue
        self._hname = self._hvalue = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        raw_name = options.get(b"name")
        if raw_name is None:
            raise BadRequest('Each multipart part needs a Content-Disposition "name".')
        self._name = raw_name.decode("utf-8", "replace")
        if b"filename" in options:
            if self._name != FILE_FIELD:
                raise BadRequest(f"Unexpected file part {self._name!r}: send the file as part 'file'.")
            if self.file_seen:
                raise BadRequest("file: send exactly one file per request.")
            self.file_seen = True
            self._in_file = True
            self.received.filename = options[b"filename"].decode("utf-8", "replace")
            self.received.content_type = self._ctype.decode("latin-1") or None
        elif len(self.received.fields) >= MAX_FIELDS:
            raise BadRequest(f"Too many form fields (at most {MAX_FIELDS}).")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self.received.size += end - start
            if self.received.size > self.max_bytes:
                raise PayloadTooLarge(f"The file is larger than the limit of {self.max_bytes} bytes.")
            self.pending.append(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > MAX_FIELD_BYTES:
            raise BadRequest(f"{self._name}: form field is larger than {MAX_FIELD_BYTES} bytes.")

    def on_part_end(self) -> None:
        if not self._in_file and self._name is not None:
            self.received.fields[self._name] = self._data.decode("utf-8", "replace")
        self._in_file = False

    def on_end(self) -> None:
        self.complete = True


async def receive_upload(
    content_type: str, body: AsyncIterable[bytes], store: FileStore, key: str, max_bytes: int
) -> Received:
    """Stream the `file` part of a multipart body (its `Content-Type` header, its chunks as they arrive)
    into `store` under `key` (committed on success).

    Raises BadRequest (not multipart, no file, empty file) or PayloadTooLarge; nothing is kept then.
    """
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadRequest("Expected a multipart/form-data body with a part named 'file'.")
    received = Received()
    parts = _Parts(received, max_bytes)
    parser = MultipartParser(
        params[b"boundary"],
        {  # type: ignore[arg-type]
            "on_part_begin": parts.on_part_begin,
            "on_part_data": parts.on_part_data,
            "on_part_end": parts.on_part_end,
            "on_header_field": parts.on_header_field,
            "on_header_value": parts.on_header_value,
            "on_header_end": parts.on_header_end,
            "on_headers_finished": parts.on_headers_finished,
            "on_end": parts.on_end,
        },
    )
    writer: FileWriter | None = None
    head = bytearray()
    try:
        async for chunk in body:
            try:
                parser.write(chunk)
            except (BadRequest, PayloadTooLarge):
                raise
            except Exception as e:  # python-multipart's parse errors
                raise BadRequest(f"Invalid multipart body: {e}") from e
            if parts.pending:
                data = b"".join(parts.pending)
                parts.pending.clear()
                if writer is None:
                    writer = await asyncio.to_thread(store.writer, key)
                if len(head) < SNIFF_BYTES:
                    head += data[: SNIFF_BYTES - len(head)]
                await asyncio.to_thread(writer.write, data)
        try:
            parser.finalize()
        except Exception as e:
            raise BadRequest(f"Invalid multipart body: {e}") from e
        if not parts.complete:  # python-multipart's finalize() accepts a body that just stops
            raise BadRequest("Invalid multipart body: it ends before its closing boundary (truncated?).")
        if not parts.file_seen:
            raise BadRequest("file: Required (send the file as multipart part 'file').")
        if received.size == 0:
            raise BadRequest("file: the uploaded file is empty.")
        assert writer is not None
        received.sha256 = await asyncio.to_thread(writer.commit)
        received.head = bytes(head)
        return received
    except BaseException:
        if writer is not None:
            await asyncio.shield(asyncio.to_thread(writer.abort))
        raise
