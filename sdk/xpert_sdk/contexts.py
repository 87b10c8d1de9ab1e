"""`client.contexts`: files uploaded as context for runs.

Pass the returned `AgentFile` (or just ``{"id": file["id"]}``) in a run's ``input.files`` and the
xpert reads it. Paths and file objects are streamed in chunks, never read whole into memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, cast

from xpert_sdk._http import AsyncHTTP, Call, FileContent, SyncHTTP, compact, path
from xpert_sdk.types import AgentFile, Deleted

__all__ = ["AsyncContexts", "Contexts", "FileInput"]

# bytes are the content; str / PathLike are a path on disk; a binary file object is read from.
FileInput = bytes | str | os.PathLike[str] | IO[bytes]

_DEFAULT_FILENAME = "upload"  # what XpertAI's JS SDK sends for nameless content


@contextmanager
def _file_part(file: FileInput, filename: str | None) -> Iterator[tuple[str, FileContent]]:
    """The multipart `(filename, content)` for `file`, opening (and then closing) paths."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        yield filename or _DEFAULT_FILENAME, bytes(file)
    elif isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as handle:
            yield filename or os.path.basename(os.fspath(file)), handle
    else:
        name = getattr(file, "name", None)
        default = os.path.basename(name) if isinstance(name, str) and name else _DEFAULT_FILENAME
        yield filename or default, file


def _upload(part: tuple[str, FileContent], purpose: str | None) -> Call:
    fields = compact(purpose=purpose)
    return Call("POST", "/contexts/file", files={"file": part}, data=fields or None, idempotent=False)


def _delete(file_id: str) -> Call:
    return Call("DELETE", path("/contexts/file/{}", file_id))


class Contexts:
    """Upload and delete context files."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def upload_file(
        self, file: FileInput, filename: str | None = None, purpose: str | None = None
    ) -> AgentFile:
        """Upload bytes, a path, or a binary file object (sent as multipart part ``file``).

        Example: ``file = client.contexts.upload_file("./manual.pdf")``
        """
        with _file_part(file, filename) as part:
            return cast(AgentFile, self._http.request(_upload(part, purpose)))

    def delete_file(self, file_id: str) -> Deleted:
        """Delete an uploaded file.

        Example: ``client.contexts.delete_file(file["id"])``
        """
        return cast(Deleted, self._http.request(_delete(file_id)))


class AsyncContexts:
    """Upload and delete context files."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def upload_file(
        self, file: FileInput, filename: str | None = None, purpose: str | None = None
    ) -> AgentFile:
        """Upload bytes, a path, or a binary file object (sent as multipart part ``file``).

        Example: ``file = await client.contexts.upload_file("./manual.pdf")``
        """
        with _file_part(file, filename) as part:
            return cast(AgentFile, await self._http.request(_upload(part, purpose)))

    async def delete_file(self, file_id: str) -> Deleted:
        """Delete an uploaded file.

        Example: ``await client.contexts.delete_file(file["id"])``
        """
        return cast(Deleted, await self._http.request(_delete(file_id)))
