"""What storage returns: plain typed records. The API layer shapes them into the contract's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from xpert_server.auth.principal import Role

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
RunStatus = Literal["pending", "running", "success", "error", "timeout", "interrupted"]
THREAD_STATUSES: tuple[str, ...] = ("idle", "busy", "interrupted", "error")
RUN_STATUSES: tuple[str, ...] = ("pending", "running", "success", "error", "timeout", "interrupted")
TERMINAL_RUN_STATUSES: frozenset[str] = frozenset({"success", "error", "timeout", "interrupted"})


@dataclass(slots=True)
class OrgRecord:
    id: str
    name: str
    created_at: float


@dataclass(slots=True)
class KeyRecord:
    id: str
    org_id: str
    name: str | None
    key_hash: str
    hint: str
    xpert_id: str | None
    expires_at: float | None
    revoked_at: float | None
    created_at: float
    role: Role = "app"


@dataclass(slots=True)
class SecretRecord:
    """A ChatKit client secret, with the state of its parent key read in the same query."""

    id: str
    org_id: str
    key_id: str | None
    user_id: str
    xpert_id: str | None
    expires_at: float
    created_at: float
    key_revoked: bool = False


@dataclass(frozen=True, slots=True)
class ConsoleSessionRecord:
    """A console sign-in, with the state of the key it was made from read in the same query."""

    id: str
    org_id: str
    key_id: str
    expires_at: float
    created_at: float
    key_revoked: bool = False
    role: Role = "admin"  # the role of the key it was made from (`operator`: the System page only)


@dataclass(slots=True)
class ConnectionRecord:
    """An org's connection (connections/): `secret` is ciphertext; only connections/vault.py opens it."""

    id: str
    org_id: str
    name: str
    kind: Literal["model", "mcp"]
    transport: str | None
    url: str
    models: list[str]
    description: str | None
    secret: bytes | None
    hint: str
    created_at: float
    updated_at: float


@dataclass(slots=True)
class AssistantRecord:
    id: str
    org_id: str
    slug: str | None
    name: str
    description: str | None
    version: int
    source: str
    definition: dict[str, Any]
    config: dict[str, Any]
    metadata: dict[str, Any]
    context: dict[str, Any] | None
    created_at: float
    updated_at: float
    # The id the org's clients use (unique per org); `id` is internal and global. Defaults to `id`.
    public_id: str = ""

    def __post_init__(self) -> None:
        self.public_id = self.public_id or self.id


class AssistantStamp(NamedTuple):
    """Which content an assistant row holds. Every write to the row (storage/sql/assistants.py: update,
    upsert, `latest`) sets a new version and the time of the write, so a wire shape rendered from a row
    is right for as long as the row keeps that stamp (`latest` may set an older version again, never
    with its old time)."""

    id: str  # internal, global
    version: int
    updated_at: float


@dataclass(slots=True)
class AssistantVersionRecord:
    assistant_id: str
    version: int
    name: str
    description: str | None
    definition: dict[str, Any]
    config: dict[str, Any]
    metadata: dict[str, Any]
    created_at: float


@dataclass(slots=True)
class ThreadRecord:
    id: str
    org_id: str
    conversation_id: str
    assistant_id: str | None
    status: str
    title: str | None
    metadata: dict[str, Any]
    created_by: str | None
    updated_by: str | None
    error: str | None
    created_at: float
    updated_at: float
    # The id the org's clients use (unique per org); `id` is internal and global: the checkpointer's
    # thread_id, the key of runs, messages, queue rows and Redis keys. Defaults to `id`.
    public_id: str = ""

    def __post_init__(self) -> None:
        self.public_id = self.public_id or self.id


@dataclass(slots=True)
class RunRecord:
    id: str
    org_id: str
    thread_id: str
    assistant_id: str
    status: str
    input: Any
    kwargs: dict[str, Any]
    metadata: dict[str, Any]
    created_by: str | None
    error: str | None
    created_at: float
    updated_at: float


@dataclass(slots=True)
class MessageRecord:
    id: str
    thread_id: str
    role: str
    content: Any
    reasoning: Any = None
    files: Any = None
    status: str | None = None
    error: str | None = None
    execution_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass(slots=True)
class Page:
    """A page of results plus the total matching, for endpoints that report `total`."""

    items: list[Any] = field(default_factory=list)
    total: int = 0


class AlreadyExists(Exception):
    """A create named an id (or slug) that is taken. The API answers 409."""


class ThreadBusy(Exception):
    """The thread has a run in flight (multitask strategy `reject`). The API answers 409."""


class ThreadBound(Exception):
    """The thread belongs to another assistant (bound by its first run). The API answers 403."""


class NothingToResume(Exception):
    """A resume arrived for a thread that is not waiting on an interrupt (e.g. resumed already): 409."""


class IdempotencyMismatch(Exception):
    """An Idempotency-Key reused with a different request body: 409."""


@dataclass(slots=True)
class StartResult:
    """What accepting a run did: started it, queued it behind a busy thread, or found the first run
    of a repeated Idempotency-Key."""

    thread: ThreadRecord | None = None
    queued: bool = False
    existing_run: RunRecord | None = None


@dataclass(frozen=True)
class QueuePlacement:
    """Where an accepted run goes (its `run_queue` row): `local` = executed by the accepting process
    `worker_id` (embedded mode); `ready` = the durable queue (`wait` while queued behind a busy thread)
    named `queue` (the deployment's Redis prefix)."""

    state: str
    worker_id: str | None = None
    queue: str = ""


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens one run spent on one model, as the model reported them."""

    model: str
    input_tokens: int
    output_tokens: int


@dataclass(slots=True)
class WebhookEndpointRecord:
    """An org's webhook subscription. `secret`: its signing secret, sealed (never the clear text)."""

    id: str
    org_id: str
    url: str
    events: list[str]
    description: str | None
    secret: bytes
    hint: str
    active: bool
    created_at: float
    updated_at: float


@dataclass(slots=True)
class DeliveryRecord:
    """One event for one target, in the outbox: `id` is the `webhook-id` every attempt sends."""

    id: str
    org_id: str
    endpoint_id: str | None
    url: str
    event: str
    payload: bytes
    status: str
    attempts: int
    next_at: float
    last_status: int | None
    last_error: str | None
    created_at: float
    updated_at: float


@dataclass(slots=True)
class AttemptRecord:
    delivery_id: str
    attempt: int
    at: float
    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None


@dataclass(slots=True)
class CronRecord:
    """A schedule that starts a run on each tick (crons/). `thread_id` is internal (None: a new thread per
    run), `thread_public_id` what clients name; `next_run_date` None once it has ended (end_time)."""

    id: str
    org_id: str
    assistant_id: str
    thread_id: str | None
    thread_public_id: str | None
    user_id: str | None
    key_id: str | None
    xpert_binding: str | None
    schedule: str
    timezone: str | None
    end_time: float | None
    payload: dict[str, Any]
    metadata: dict[str, Any]
    on_run_completed: str | None
    enabled: bool
    next_run_date: float | None
    created_at: float
    updated_at: float


@dataclass(slots=True)
class ThreadTTL:
    thread_id: str
    ttl_seconds: float
    strategy: str  # delete | keep_latest
