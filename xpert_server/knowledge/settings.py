"""Settings of files and knowledge, read from `Settings.extra` first, then `XPERT_*` environment variables.

They live here (not in config.Settings) so this component can grow without touching the shared settings:
- XPERT_FILES_DIR: where uploaded files are stored (default `<data dir>/files`).
- XPERT_FILE_URL_SECRET: key that signs file `url`s (default: a random key kept in `<data dir>/file-url.key`;
  set it when several servers share one database, so each accepts the others' urls).
- XPERT_FILE_URL_TTL: seconds a signed file url stays valid (default 86400).
- XPERT_EMBEDDINGS_BASE_URL / XPERT_EMBEDDINGS_MODEL / XPERT_EMBEDDINGS_API_KEY: an OpenAI-compatible
  `/embeddings` endpoint; unset means the offline multilingual encoder.
- XPERT_KNOWLEDGE_VECTORS: `auto` (default: sqlite-vec on SQLite, numpy on PostgreSQL) or `numpy`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    def from_settings(cls, settings: Settings, env: dict[str, str] | None = None) -> KnowledgeSettings:
        env = dict(os.environ if env is None else env)
        extra: dict[str, Any] = settings.extra

        def get(name: str) -> Any:
            value = extra.get(name)
            if value is None:
                value = env.get("XPERT_" + name.upper()) or None
            return value

        data_dir = Path(settings.data_dir)
        files_dir = Path(get("files_dir") or data_dir / "files")
        secret = get("file_url_secret")
        return cls(
            files_dir=files_dir,
            url_secret=secret.encode() if isinstance(secret, str) else secret or _stored_secret(data_dir),
            url_ttl=float(get("file_url_ttl") or 86400),
            embeddings_base_url=get("embeddings_base_url"),
            embeddings_model=get("embeddings_model"),
            embeddings_api_key=get("embeddings_api_key") or settings.model_api_key,
            vectors=str(get("knowledge_vectors") or "auto"),
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
