"""What the files and knowledge services need of `Settings`, resolved once: where files go, the url signing
key (random and kept in the data dir unless `file_url_secret` is set), the embedder, the parse limits.
Every value comes from `config.Settings`; nothing here reads the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from xpert_server.config import Settings
from xpert_server.keyfile import stored_key
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
            url_secret=secret.encode() if secret else stored_key(data_dir, "file-url.key"),
            url_ttl=settings.file_url_ttl,
            embeddings_base_url=settings.embeddings_base_url,
            embeddings_model=settings.embeddings_model,
            embeddings_api_key=settings.embeddings_api_key or settings.model_api_key,
            vectors=settings.knowledge_vectors,
            max_upload_bytes=settings.max_upload_bytes,
            data_dir=data_dir,
            parse_limits=ParseLimits.from_settings(settings),
        )
