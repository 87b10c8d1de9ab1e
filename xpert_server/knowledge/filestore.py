"""Where uploaded bytes live. `FileStore` is the interface (an S3-compatible store can implement it with
multipart uploads); `LocalFileStore` keeps files in a folder.

Keys are chosen by the server (`<org>/<id>`), never from the user's file name, so a name like
`../../etc/passwd` can only ever be a display name. Writes go to a temporary file first and are
renamed into place on commit; an aborted upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

READ_CHUNK = 256 * 1024
MAX_NAME = 200


class FileWriter(Protocol):
    size: int

    def write(self, data: bytes) -> None: ...

    def commit(self) -> str:
        """Make the file visible under its key; returns the sha256 (hex) of what was written."""
        ...

    def abort(self) -> None: ...


class FileStore(Protocol):
    def writer(self, key: str) -> FileWriter: ...

    def open(self, key: str) -> BinaryIO: ...

    def head(self, key: str, n: int) -> bytes: ...

    def local_path(self, key: str) -> Path | None:
        """A path on this machine when the store has one (served with sendfile); None otherwise."""
        ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class _LocalWriter:
    def __init__(self, final: Path):
        self.final = final
        final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = final.with_name(f".{final.name}.part")
        self._file: BinaryIO | None = open(self.tmp, "wb")  # closed by commit/abort
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        assert self._file is not None, "writer is closed"
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    def commit(self) -> str:
        assert self._file is not None, "writer is closed"
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.tmp, self.final)
        return self._hash.hexdigest()

    def abort(self) -> None:
        # close() flushes what sits in the buffer, and on a full disk that raises ENOSPC again: the partial
        # file goes whatever the close says, and the error that brought us here is the one that matters.
        file, self._file = self._file, None
        try:
            if file is not None:
                with contextlib.suppress(OSError):
                    file.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class LocalFileStore:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # keys are ours, but never trust a path join
            raise ValueError(f"invalid storage key {key!r}")
        return path

    def writer(self, key: str) -> _LocalWriter:
        return _LocalWriter(self._path(key))

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")  # the caller closes it

    def head(self, key: str, n: int) -> bytes:
        with self.open(key) as f:
            return f.read(n)

    def iter_bytes(self, key: str) -> Iterator[bytes]:
        with self.open(key) as f:
            while chunk := f.read(READ_CHUNK):
                yield chunk

    def local_path(self, key: str) -> Path | None:
        return self._path(key)

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def leftovers(self) -> list[Path]:
        """Partial files of uploads cut off by a crash (removed at start)."""
        return list(self.root.rglob(".*.part"))


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def sanitise_name(name: str | None, default: str = "upload") -> str:
    """A display name safe in headers and on any file system: the last path segment, no control or
    reserved characters, no leading dots, at most 200 characters (extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name or set(name) <= {"_", " ", "."}:
        return default
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name
