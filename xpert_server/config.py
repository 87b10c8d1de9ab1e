"""Settings: one object, read from `XPERT_*` environment variables, overridden by CLI flags.

Each field is declared once with `setting(default, doc, flag=…)`: its description is the README's settings
table (`settings_table()`, checked by tests/test_settings.py) and the help of its `xpert` flag (`cli_help`).
"""

from __future__ import annotations

import os
import types
from dataclasses import Field, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

ENV_PREFIX = "XPERT_"
MiB = 1024 * 1024


def setting(default: Any, doc: str, *, flag: str | None = None, env: bool = True, public: bool = True) -> Any:
    """A field of `Settings`. `doc` is its one description; `flag` its `xpert` option, if it has one;
    `env=False`: never read from the environment (test hooks); `public=False`: left out of the README."""
    return field(default=default, metadata={"doc": doc, "flag": flag, "env": env, "public": public})


@dataclass(frozen=True)
class Settings:
    # The process and its stores.
    host: str = setting("127.0.0.1", "Interface to bind. Default 127.0.0.1.", flag="--host")
    port: int = setting(8000, "Port. Default 8000.", flag="--port")
    data_dir: Path = setting(
        Path(".xpert"),
        "Folder for the SQLite database and uploaded files. Default ./.xpert.",
        flag="--data-dir",
    )
    database_url: str | None = setting(
        None, "postgresql://… selects PostgreSQL; default SQLite in the data dir.", flag="--database-url"
    )
    redis_url: str | None = setting(None, "redis://… for scaled mode.", flag="--redis-url")
    redis_prefix: str = setting("xpert", "Key prefix in Redis. Default xpert.")
    api_prefix: str = setting("/api/ai", "Mount point of the API. Default /api/ai.")
    xperts_dir: Path | None = setting(
        None,
        "Folder of xpert YAML files loaded at start. Default none (the demo xpert is loaded on first start).",
        flag="--xperts",
    )
    api_key: str | None = setting(
        None,
        "A key registered verbatim for the default org at start. Default none: "
        "the first start creates and prints one.",
    )
    log_level: str = setting("info", "debug, info, warning, error. Default info.", flag="--log-level")
    # Request limits (xpert_server/limits/).
    max_body_bytes: int = setting(10 * MiB, "Largest JSON body accepted, in bytes. Default 10 MiB.")
    max_upload_bytes: int = setting(50 * MiB, "Largest upload accepted, in bytes. Default 50 MiB.")
    max_header_bytes: int = setting(
        64 * 1024, "Largest request line + headers, in bytes; 431 above. Default 64 KiB."
    )
    max_streams_per_credential: int = setting(
        100, "Open SSE streams per API key or client secret in one process; 429 above, 0 = off. Default 100."
    )
    # Slow clients: a request's head and body must arrive in time.
    head_timeout: float = setting(
        10.0,
        "Seconds to receive a request line and headers, from connecting or from "
        "the request's first byte; 408 and close after. Default 10.",
    )
    body_timeout: float = setting(
        300.0,
        "Seconds to receive a whole request body once its head is in; 408 and close after. Default 300.",
    )
    body_idle_timeout: float = setting(
        30.0, "Seconds a request body may send nothing; 408 and close after. Default 30."
    )
    http_keepalive_timeout: float = setting(
        5.0, "Seconds an idle keep-alive connection stays open. Default 5."
    )
    # 0 = the open-files limit less a reserve for the database, Redis, files and parse processes.
    max_connections: int = setting(
        0,
        "Open connections per process; past it the connection waiting longest for "
        "its request is closed. Default 0: the open-files limit less 128.",
    )
    # Document parsing runs in a child process (knowledge/sandbox.py) bounded by these: a zip bomb or a
    # pathological PDF costs that process, never the server's heap or event loop.
    parse_max_expanded_bytes: int = setting(
        256 * MiB,
        "A DOCX whose zip members add up to more bytes than this, uncompressed, is not read: its file "
        "ends `failed`. Default 256 MiB.",
    )
    parse_max_xml_bytes: int = setting(
        64 * MiB, "The same for a DOCX's XML members together. Default 64 MiB."
    )
    parse_max_memory_bytes: int = setting(
        1024 * MiB, "Address space of the process that parses one document. Default 1 GiB."
    )
    parse_cpu_seconds: int = setting(60, "CPU seconds one document may take to parse. Default 60.")
    parse_timeout: float = setting(120.0, "Seconds one document may take to parse, wall clock. Default 120.")
    # Files and knowledge (knowledge/settings.py gives them to the files and knowledge services).
    files_dir: Path | None = setting(
        None,
        "Folder of uploaded files; every process of a scaled deployment must "
        "share it. Default `<data dir>/files`.",
    )
    file_url_secret: str | None = setting(
        None,
        "Key that signs file urls; set the same value on every server sharing a database. Default a random "
        "key kept in `<data dir>/file-url.key`.",
    )
    file_url_ttl: float = setting(86400.0, "Seconds a signed file url stays valid. Default 86400.")
    embeddings_base_url: str | None = setting(
        None, "An OpenAI-compatible /embeddings endpoint; unset means the offline multilingual encoder."
    )
    embeddings_model: str | None = setting(None, "Model name for that endpoint.")
    embeddings_api_key: str | None = setting(None, "API key for that endpoint. Default XPERT_MODEL_API_KEY.")
    knowledge_vectors: str = setting(
        "auto", "auto (sqlite-vec on SQLite, numpy on PostgreSQL) or numpy. Default auto."
    )
    # Runs and streams.
    run_timeout: float = setting(
        3600.0, "Seconds before a run ends `timeout`. Default 3600.", flag="--run-timeout"
    )
    frame_retention: float = setting(
        7 * 24 * 3600.0, "Seconds stored stream frames are kept. Default 7 days."
    )
    keepalive_interval: float = setting(15.0, "Seconds between SSE keep-alive comments. Default 15.")
    # Browsers, the demo page and rate limits.
    cors_origins: tuple[str, ...] = setting((), "Comma-separated origins allowed by CORS. Default none.")
    demo: bool = setting(
        False, "Serve the demo page at / even on a public interface.", flag="--demo/--no-demo"
    )
    # Host names the demo's back end answers for, besides loopback names and the bound host (DNS rebinding).
    demo_hosts: tuple[str, ...] = setting(
        (),
        "Comma-separated host names the demo page's back end answers for, "
        "besides localhost, loopback addresses and --host. Default none.",
    )
    secret_rate_limit: int = setting(60, "Requests/minute per client secret, 0 = off. Default 60.")
    key_rate_limit: int = setting(0, "Requests/minute per API key, 0 = off. Default 0.")
    console_session_ttl: int = setting(
        8 * 3600, "Seconds a console sign-in lasts (never longer than its key). Default 28800 (8 hours)."
    )
    metrics_public: bool = setting(False, "Serve /metrics without a credential. Default off: an API key.")
    # The default model.
    model_base_url: str | None = setting(
        None, "OpenAI-compatible endpoint used by xperts that name no model."
    )
    model: str | None = setting(None, "Model name for that endpoint.")
    model_api_key: str | None = setting(None, "API key for that endpoint.")
    # Connections (connections/, docs/agents.md): named models and MCP servers xperts reference by name.
    connections_file: Path | None = setting(
        None,
        "YAML file of the operator's connections (models and MCP servers any org's xperts may name). "
        "Default none.",
        flag="--connections",
    )
    connections_secret: str | None = setting(
        None,
        "Key that encrypts org connections' secrets at rest; set the same value on every server sharing a "
        "database. Default a random key kept in `<data dir>/connections.key`.",
    )
    connections_private_orgs: tuple[str, ...] = setting(
        (),
        "Comma-separated orgs whose own connections may reach private addresses (loopback, LAN); "
        "others reach public addresses only. Default none.",
    )
    # Traces (telemetry.py, docs/integrations.md): on with the standard OTEL_* variables (an OTLP endpoint).
    trace_content: bool = setting(
        False,
        "Put message text (its first 2000 characters) on model, tool and retrieval spans. Default off: "
        "spans carry ids, names, times and token counts only.",
    )
    # Webhooks (webhooks/, docs/integrations.md): signed, retried deliveries of run and document events.
    webhook_private_orgs: tuple[str, ...] = setting(
        (),
        "Comma-separated orgs whose webhooks may target private addresses (loopback, LAN); `*` for every "
        "org. Others reach public addresses only. Default none.",
    )
    webhook_timeout: float = setting(10.0, "Seconds one webhook attempt may take. Default 10.")
    webhook_retry_for: float = setting(
        86400.0,
        "Seconds after an event within which a failed delivery is retried; then it is `failed`. "
        "Default 86400 (a day).",
    )
    webhook_backoff: float = setting(
        5.0, "Seconds before a webhook's first retry; doubling (with jitter) up to an hour. Default 5."
    )
    webhook_poll: float = setting(1.0, "Seconds between looks at the webhook outbox. Default 1.")
    # Scale-out (docs/scale-out.md): with redis_url, API processes only enqueue runs unless with_worker.
    with_worker: bool = setting(
        False, "With --redis-url: this API process also executes runs.", flag="--with-worker/--no-worker"
    )
    worker_concurrency: int = setting(
        32, "Runs one worker executes at once. Default 32.", flag="--concurrency"
    )
    lease_seconds: float = setting(
        30.0, "A claimed run's lease; a dead worker's runs are re-queued after it. Default 30."
    )
    max_attempts: int = setting(
        3, "Attempts per run before a run whose workers keep dying ends `error`. Default 3."
    )
    drain_seconds: float = setting(
        20.0, "On SIGTERM a worker finishes its runs for this long, then hands the rest back. Default 20."
    )
    stream_maxlen: int = setting(10_000, "Frames kept per run in its Redis stream, about. Default 10000.")
    stream_ttl: float = setting(
        3600.0, "Seconds a run's Redis stream lives after its last frame. Default 3600."
    )
    # Test hooks.
    announce_key: bool = setting(
        True, "Print the key created at first start (tests read keys from storage).", public=False
    )
    demo_overrides: bool = setting(
        False,
        "The demo page takes ?xpert=<slug>&expires_after=<s>, so browser tests can expire a secret mid-chat.",
        env=False,
        public=False,
    )

    def __post_init__(self) -> None:
        # Accept str paths from Python callers too; flags and env already arrive as Paths.
        for name in ("data_dir", "xperts_dir", "files_dir", "connections_file"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, Path(value))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `XPERT_*` variables, then apply non-None `overrides` (CLI flags)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(env_name(f.name)) if f.metadata["env"] else None
            if raw is not None and raw != "":
                values[f.name] = _cast(f.name, raw)
        values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
        return cls(**values)

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

    def server_url(self, port: int | None = None) -> str:
        """Where a browser or `xpert chat` on this machine reaches this server (`port`: the one really bound,
        when --port 0 let the system choose). A wildcard host is reached on loopback."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port if port is None else port}"

    def api_url(self, port: int | None = None) -> str:
        """The AI API's base URL on this machine (what XPERTAI_API_URL names)."""
        return self.server_url(port) + self.api_prefix.rstrip("/")


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`) and name the drivers storage uses."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def setting_fields() -> dict[str, Field[Any]]:
    return {f.name: f for f in fields(Settings)}


def doc(name: str) -> str:
    return str(setting_fields()[name].metadata["doc"])


def cli_help(name: str) -> str:
    """The help of the flag that sets `name`: its description and its variable."""
    return f"{doc(name)} ({env_name(name)})"


def settings_table() -> str:
    """The README's settings table (markdown), one row per public setting."""
    rows = ["| env | flag | setting |", "|---|---|---|"]
    for f in fields(Settings):
        if f.metadata["public"]:
            flag = f"`{f.metadata['flag'].split('/')[0]}`" if f.metadata["flag"] else ""
            rows.append(f"| `{env_name(f.name)}` | {flag} | {f.metadata['doc']} |")
    return "\n".join(rows) + "\n"


@cache
def _base_type(name: str) -> Any:
    """The field's type without `| None`: str, int, float, bool, Path or tuple[str, ...]."""
    hint = get_type_hints(Settings)[name]
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    return get_origin(hint) or hint


def _cast(name: str, raw: str) -> Any:
    kind = _base_type(name)
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is tuple:
        return tuple(o.strip() for o in raw.split(",") if o.strip())
    if kind in (int, float, Path):
        return kind(raw)
    return raw


def _coerce(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return _cast(name, value)
    if _base_type(name) is tuple and isinstance(value, list):
        return tuple(value)
    return value


if __name__ == "__main__":
    print(settings_table(), end="")
