"""Settings: one object, read from `XPERT_*` environment variables, overridden by CLI flags.

Every setting is listed in `FIELDS_DOC` so `xpert serve --help` and the README stay in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "XPERT_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".xpert")
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "xpert"
    api_prefix: str = "/api/ai"
    xperts_dir: Path | None = None
    api_key: str | None = None
    max_body_bytes: int = 10 * 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    # Open SSE streams per credential (API key or client secret) in one process; 0 turns the limit off.
    max_streams_per_credential: int = 100
    # Slow clients (httplimits.py): a request's head and body must arrive in time; 0 max_connections = the
    # open-files limit less a reserve for the database, Redis, files and parse processes.
    head_timeout: float = 10.0
    body_timeout: float = 300.0
    body_idle_timeout: float = 30.0
    http_keepalive_timeout: float = 5.0
    max_connections: int = 0
    # Document parsing runs in a child process (knowledge/sandbox.py) bounded by these: a zip bomb or a
    # pathological PDF costs that process, never the server's heap or event loop.
    parse_max_expanded_bytes: int = 256 * 1024 * 1024
    parse_max_xml_bytes: int = 64 * 1024 * 1024
    parse_max_memory_bytes: int = 1024 * 1024 * 1024
    parse_cpu_seconds: int = 60
    parse_timeout: float = 120.0
    log_level: str = "info"
    run_timeout: float = 3600.0
    frame_retention: float = 7 * 24 * 3600.0
    keepalive_interval: float = 15.0
    cors_origins: tuple[str, ...] = ()
    demo: bool = False
    # Host names the demo's back end answers for, besides loopback names and the bound host (DNS rebinding).
    demo_hosts: tuple[str, ...] = ()
    # Requests per minute per ChatKit client secret, and per API key (0 turns a limit off).
    secret_rate_limit: int = 60
    key_rate_limit: int = 0
    model_base_url: str | None = None
    model: str | None = None
    model_api_key: str | None = None
    # Scale-out (docs/scale-out.md): with redis_url, API processes only enqueue runs unless with_worker.
    with_worker: bool = False
    worker_concurrency: int = 32
    lease_seconds: float = 30.0
    max_attempts: int = 3
    drain_seconds: float = 20.0
    stream_maxlen: int = 10_000
    stream_ttl: float = 3600.0
    metrics_public: bool = False
    # Test hook: hide the first-start key announcement (tests read keys from storage).
    announce_key: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Accept str paths from Python callers too; flags and env already arrive as Paths.
        for name in ("data_dir", "xperts_dir"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `XPERT_*` variables, then apply non-None `overrides` (CLI flags)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _cast(f.name, raw)
        values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: _coerce(k, v) for k, v in changes.items()})

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL: SQLite in the data dir unless a URL was given."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'xpert.db').resolve()}"

    @property
    def scaled(self) -> bool:
        """Runs go through the durable queue, frames through Redis: any process can serve any run."""
        return bool(self.redis_url)

    @property
    def is_postgres(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`) and pick async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


_INT = {"port", "max_body_bytes", "max_upload_bytes", "max_header_bytes", "max_streams_per_credential",
        "max_connections", "parse_max_expanded_bytes", "parse_max_xml_bytes", "parse_max_memory_bytes", "parse_cpu_seconds",
        "secret_rate_limit", "key_rate_limit", "worker_concurrency", "max_attempts", "stream_maxlen"}
_FLOAT = {"head_timeout", "body_timeout", "body_idle_timeout", "http_keepalive_timeout", "parse_timeout", "run_timeout", "frame_retention", "keepalive_interval", "lease_seconds", "drain_seconds", "stream_ttl"}
_BOOL = {"demo", "announce_key", "with_worker", "metrics_public"}
_PATH = {"data_dir", "xperts_dir"}
_TUPLE = {"cors_origins", "demo_hosts"}


def _cast(name: str, raw: str) -> Any:
    if name in _INT:
        return int(raw)
    if name in _FLOAT:
        return float(raw)
    if name in _BOOL:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name in _PATH:
        return Path(raw)
    if name in _TUPLE:
        return tuple(o.strip() for o in raw.split(",") if o.strip())
    return raw


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return _cast(name, value)
    if name in _TUPLE and isinstance(value, list):
        return tuple(value)
    return value


FIELDS_DOC: dict[str, str] = {
    "host": "Interface to bind (XPERT_HOST, --host). Default 127.0.0.1.",
    "port": "Port (XPERT_PORT, --port). Default 8000.",
    "data_dir": "Folder for the SQLite database and uploaded files (XPERT_DATA_DIR, --data-dir). Default ./.xpert.",
    "database_url": "postgresql://… selects PostgreSQL; default SQLite in the data dir (XPERT_DATABASE_URL).",
    "redis_url": "redis://… for scaled mode (XPERT_REDIS_URL).",
    "redis_prefix": "Key prefix in Redis (XPERT_REDIS_PREFIX). Default xpert.",
    "api_prefix": "Mount point of the API (XPERT_API_PREFIX). Default /api/ai.",
    "xperts_dir": "Folder of xpert YAML files loaded at start (XPERT_XPERTS_DIR, --xperts).",
    "api_key": "A key registered verbatim for the default org at start (XPERT_API_KEY).",
    "max_body_bytes": "Largest JSON body accepted, in bytes (XPERT_MAX_BODY_BYTES). Default 10 MiB.",
    "max_upload_bytes": "Largest upload accepted, in bytes (XPERT_MAX_UPLOAD_BYTES). Default 50 MiB.",
    "max_header_bytes": "Largest request line + headers, in bytes; 431 above (XPERT_MAX_HEADER_BYTES). Default 64 KiB.",
    "max_streams_per_credential": "Open SSE streams per API key or client secret in one process; 429 above, "
                                  "0 = off (XPERT_MAX_STREAMS_PER_CREDENTIAL). Default 100.",
    "head_timeout": "Seconds to receive a request line and headers, from connecting or from the request's first "
                    "byte; 408 and close after (XPERT_HEAD_TIMEOUT). Default 10.",
    "body_timeout": "Seconds to receive a whole request body once its head is in; 408 and close after "
                    "(XPERT_BODY_TIMEOUT). Default 300.",
    "body_idle_timeout": "Seconds a request body may send nothing; 408 and close after (XPERT_BODY_IDLE_TIMEOUT). "
                         "Default 30.",
    "http_keepalive_timeout": "Seconds an idle keep-alive connection stays open (XPERT_HTTP_KEEPALIVE_TIMEOUT). "
                              "Default 5.",
    "max_connections": "Open connections per process; past it the connection waiting longest for its request "
                       "is closed (XPERT_MAX_CONNECTIONS). Default 0: the open-files limit less 128.",
    "parse_max_expanded_bytes": "A DOCX whose zip members add up to more bytes than this, uncompressed, is not "
                                "read: its file ends `failed` (XPERT_PARSE_MAX_EXPANDED_BYTES). Default 256 MiB.",
    "parse_max_xml_bytes": "The same for a DOCX's XML members together (XPERT_PARSE_MAX_XML_BYTES). Default 64 MiB.",
    "parse_max_memory_bytes": "Address space of the process that parses one document (XPERT_PARSE_MAX_MEMORY_BYTES). "
                              "Default 1 GiB.",
    "parse_cpu_seconds": "CPU seconds one document may take to parse (XPERT_PARSE_CPU_SECONDS). Default 60.",
    "parse_timeout": "Seconds one document may take to parse, wall clock (XPERT_PARSE_TIMEOUT). Default 120.",
    "log_level": "debug, info, warning, error (XPERT_LOG_LEVEL, --log-level). Default info.",
    "run_timeout": "Seconds before a run ends `timeout` (XPERT_RUN_TIMEOUT). Default 3600.",
    "frame_retention": "Seconds stored stream frames are kept (XPERT_FRAME_RETENTION). Default 7 days.",
    "keepalive_interval": "Seconds between SSE keep-alive comments (XPERT_KEEPALIVE_INTERVAL). Default 15.",
    "cors_origins": "Comma-separated origins allowed by CORS (XPERT_CORS_ORIGINS). Default none.",
    "demo": "Serve the demo page at / even on a public interface (XPERT_DEMO, --demo).",
    "demo_hosts": "Comma-separated host names the demo page's back end answers for, besides localhost, loopback "
                  "addresses and --host (XPERT_DEMO_HOSTS). Default none.",
    "secret_rate_limit": "Requests/minute per client secret, 0 = off (XPERT_SECRET_RATE_LIMIT). Default 60.",
    "key_rate_limit": "Requests/minute per API key, 0 = off (XPERT_KEY_RATE_LIMIT). Default 0.",
    "model_base_url": "OpenAI-compatible endpoint used by xperts that name no model (XPERT_MODEL_BASE_URL).",
    "model": "Model name for that endpoint (XPERT_MODEL).",
    "model_api_key": "API key for that endpoint (XPERT_MODEL_API_KEY).",
    "with_worker": "With --redis-url: this API process also executes runs (XPERT_WITH_WORKER, --with-worker).",
    "worker_concurrency": "Runs one worker executes at once (XPERT_WORKER_CONCURRENCY, --concurrency). Default 32.",
    "lease_seconds": "A claimed run's lease; a dead worker's runs are re-queued after it (XPERT_LEASE_SECONDS). Default 30.",
    "max_attempts": "Attempts per run before a run whose workers keep dying ends `error` (XPERT_MAX_ATTEMPTS). Default 3.",
    "drain_seconds": "On SIGTERM a worker finishes its runs for this long, then hands the rest back "
                     "(XPERT_DRAIN_SECONDS). Default 20.",
    "stream_maxlen": "Frames kept per run in its Redis stream, about (XPERT_STREAM_MAXLEN). Default 10000.",
    "stream_ttl": "Seconds a run's Redis stream lives after its last frame (XPERT_STREAM_TTL). Default 3600.",
    "metrics_public": "Serve /metrics without a credential (XPERT_METRICS_PUBLIC). Default off: an API key.",
}
