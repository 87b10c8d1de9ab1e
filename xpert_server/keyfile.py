"""Server keys kept in the data folder when no setting gives one: the file-URL signing key
(`file-url.key`) and the connections' encryption key (`connections.key`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def stored_key(data_dir: Path, filename: str) -> bytes:
    """A random 32-byte key kept beside the database, created on first use (readable by the owner only)."""
    path = data_dir / filename
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.hex())
    try:
        os.link(tmp, path)  # first writer wins when two processes start together
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())
