"""What the files and knowledge services need of `Settings`, resolved once: where files go, the url signing
key (random and kept in the data dir unless `file_url_secret` is set), the embedder, the parse limits.
Every value comes from `config.Settings`; nothing here reads the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from xpert_server.config import Settings
from xpert_server.knowledge.sandbox import ParseLimits


@dataclass(frozen=True)
class KnowledgeSettings:
    files_dir: Path
    url_secret: bytes
    url_ttl: float
    embeddings_base_url: str | None
    embeddings_model: str | None
    embeddings_api_key: str | None
    vectors: str
    max_upload_bytes: int
    data_dir: Path
    parse_limits: ParseLimits = ParseLimits()

    @classmethod
    def from_settings(cls, settings: Settings) -> KnowledgeSettings:
        data_dir = Path(settings.data_dir)
        secret = settings.file_url_secret
        return cls(
            files_dir=settings.files_dir or data_dir / "files",
            url_secret=secret.encode() if secret else _stored_secret(data_dir),
            url_ttl=settings.file_url_ttl,
            embeddings_base_url=settings.embeddings_base_url,
            embeddings_model=settings.embeddings_model,
            embeddings_api_key=settings.embeddings_api_key or settings.model_api_key,
            vectors=settings.knowledge_vectors,
            max_upload_bytes=settings.max_upload_bytes,
            data_dir=data_dir,
            parse_limits=ParseLimits.from_settings(settings),
        )


def _stored_secret(data_dir: Path) -> bytes:
    """A random signing key kept beside the database, created on first use (readable by the owner only)."""
    path = data_dir / "file-url.key"
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
