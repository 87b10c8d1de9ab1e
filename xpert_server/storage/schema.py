"""Tables, in SQLAlchemy Core. One definition serves SQLite and PostgreSQL.

Times are epoch seconds (floats): portable, sortable, cheap to convert to ISO on the way out.
JSON columns are JSONB on PostgreSQL (containment queries) and JSON text on SQLite.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

metadata = MetaData()

Json = JSON().with_variant(JSONB(), "postgresql")
Id = String(128)

orgs = Table(
    "orgs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", Float, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("name", Text, nullable=True),
    # sha256 of the key: keys are 256-bit random, so a fast hash is enough and lookups stay indexed.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("hint", String(32), nullable=False),
    Column("xpert_id", Id, nullable=True),
    Column("expires_at", Float, nullable=True),
    Column("revoked_at", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    # `admin` or `app` (migration 6; keys made before it are admin).
    Column("role", String(16), nullable=False, server_default="admin"),
)

# ChatKit client secrets (migration 3): short-lived, minted from an API key, stored hashed like keys.
# Expired rows are kept a day so a late request still hears "Token expired" rather than "Invalid token".
client_secrets = Table(
    "client_secrets",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("key_id", Id, nullable=True, index=True),
    Column("secret_hash", String(64), nullable=False, unique=True),
    # The end user the secret acts for: `x-principal-user-id` at minting, else `cs:<secret id>`.
    Column("user_id", Text, nullable=False),
    Column("xpert_id", Id, nullable=True),
    Column("expires_at", Float, nullable=False, index=True),
    Column("created_at", Float, nullable=False),
)

# Console sign-ins (migration 14): a browser's session, made from an org admin key and stored hashed like
# client secrets; it ends at `expires_at`, at sign-out (row deleted) or when its key is revoked.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("key_id", Id, nullable=False, index=True),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("expires_at", Float, nullable=False, index=True),
    Column("created_at", Float, nullable=False),
)

# Client-chosen ids are per org (migration 7): `id` is the internal id, globally unique, that everything
# downstream keys on (versions, graph caches); `public_id` is the id the org's clients use, unique per org.
# Server-generated ids have public_id == id.
assistants = Table(
    "assistants",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("public_id", Id, nullable=False),
    Column("slug", String(200), nullable=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("source", String(16), nullable=False),
    Column("definition", Json, nullable=False),
    Column("config", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("context", Json, nullable=True),
    Column("created_by", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("org_id", "slug", name="uq_assistants_org_slug"),
    Index("ix_assistants_org_created", "org_id", "created_at"),
    Index("uq_assistants_org_public", "org_id", "public_id", unique=True),
)

assistant_versions = Table(
    "assistant_versions",
    metadata,
    Column("assistant_id", Id, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("definition", Json, nullable=False),
    Column("config", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("created_at", Float, nullable=False),
)

# As for assistants: `id` is internal (the checkpointer's thread_id, runs, messages, the run queue, Redis
# keys), `public_id` the org's (unique per org).
threads = Table(
    "threads",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("public_id", Id, nullable=False),
    # The conversation is the same record seen through XpertAI's chat API: one per thread.
    Column("conversation_id", Id, nullable=False, unique=True),
    Column("assistant_id", Id, nullable=True),
    Column("status", String(16), nullable=False),
    Column("title", Text, nullable=True),
    Column("metadata", Json, nullable=False),
    Column("created_by", Text, nullable=True),
    Column("updated_by", Text, nullable=True),
    Column("key_id", Id, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_threads_org_created", "org_id", "created_at"),
    # The conversations list's default order (updatedAt DESC) and `sort_by=updated_at` (migration 18).
    Index("ix_threads_org_updated", "org_id", "updated_at"),
    Index("ix_threads_org_user_created", "org_id", "created_by", "created_at"),
    Index("uq_threads_org_public", "org_id", "public_id", unique=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", String(64), nullable=False),
    Column("key_id", Id, nullable=True),
    Column("principal_user_id", Text, nullable=True),
    Column("action", String(64), nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", Text, nullable=True),
    Column("at", Float, nullable=False),
    Index("ix_audit_org_at", "org_id", "at"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("thread_id", Id, nullable=False),
    Column("assistant_id", Id, nullable=False),
    Column("status", String(16), nullable=False),
    Column("input", Json, nullable=True),
    # Everything else the request carried (context, config, stream options...), replayed by executors.
    Column("kwargs", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("created_by", Text, nullable=True),
    Column("key_id", Id, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_runs_thread_created", "thread_id", "created_at"),
    Index("ix_runs_status", "status"),
)

# Every SSE frame of a run, stored before anyone sees it: live streams, joins and replays read here.
run_events = Table(
    "run_events",
    metadata,
    Column("run_id", Id, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("event", String(32), nullable=True),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    # The retention sweep deletes by age (migration 17): without it, every sweep scanned every frame.
    Index("ix_run_events_created", "created_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("thread_id", Id, nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Json, nullable=True),
    Column("reasoning", Json, nullable=True),
    Column("files", Json, nullable=True),
    Column("status", String(16), nullable=True),
    Column("error", Text, nullable=True),
    Column("execution_id", Id, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # "api" for a message written over `POST /conversations/{id}/messages` (the next run puts it into the
    # model's history, runs/written.py); NULL for the messages runs write.
    Column("origin", String(8), nullable=True),
    Index("ix_messages_thread_created", "thread_id", "created_at"),
)

feedbacks = Table(
    "feedbacks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("message_id", Id, nullable=False, index=True),
    Column("thread_id", Id, nullable=False),
    Column("rating", String(16), nullable=False),
    Column("content", Text, nullable=True),
    Column("created_by", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=True),  # NULL: never changed since created_at
)

# LangGraph's long-term memory (the Store), per organization. `namespace` is the dotted path.
store_items = Table(
    "store_items",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("namespace", String(512), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("value", Json, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# A run POST's `Idempotency-Key` (per credential): a retry gets the first run instead of a second one.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("credential_id", Id, primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("run_id", Id, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", Float, nullable=False, index=True),
)

# ---- context files and knowledge bases (migration 2) ---------------------------------------------------------

# An uploaded file. The bytes live in the file store under `storage_key` (never derived from the user's
# file name); the extracted text lives here so runs and ingestion read it without touching the store.
files = Table(
    "files",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("created_by", Text, nullable=True),
    Column("key_id", Id, nullable=True),
    Column("original_name", Text, nullable=False),
    Column("storage_key", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mime_type", String(200), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("parse_mode", String(16), nullable=False),
    Column("parse_status", String(16), nullable=False),
    Column("parse_error", Text, nullable=True),
    Column("text", Text, nullable=True),
    Column("summary", Text, nullable=True),
    Column("context", Json, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_files_org_created", "org_id", "created_at"),
    Index("ix_files_parse_status", "parse_status"),
)

knowledgebases = Table(
    "knowledgebases",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("permission", String(32), nullable=False),
    Column("recall", Json, nullable=False),
    Column("parser_config", Json, nullable=False),
    # Everything else the client sent (language, avatar, type...), echoed back.
    Column("extra", Json, nullable=False),
    # Which embedder wrote the vectors: a base searched with another one falls back to lexical search.
    Column("embedder", String(200), nullable=False),
    # Bumped whenever chunks change, so in-memory vector caches know when to reload.
    Column("index_version", Integer, nullable=False),
    Column("created_by", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("org_id", "name", name="uq_knowledgebases_org_name"),
)

knowledge_documents = Table(
    "knowledge_documents",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kb_id", Id, nullable=False),
    Column("org_id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("file_id", Id, nullable=True),
    Column("text", Text, nullable=True),
    Column("fields", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False),
    Column("process_msg", Text, nullable=True),
    Column("chunk_count", Integer, nullable=False),
    # Processing is claimed with a lease so a crashed worker's documents are taken up again.
    Column("queued", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", Float, nullable=True),
    # A fresh token per claim: a worker whose document was re-queued or deleted meanwhile notices.
    Column("claim", String(64), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_kdocs_kb", "kb_id", "created_at"),
    Index("ix_kdocs_status", "status"),
)

# Chunks with their vector (float32 bytes) and lexical tokens. On PostgreSQL `lex` is a tsvector
# (GIN-indexed, written as tsvector text so no text-search parser touches CJK); on SQLite the search
# structures live in a sqlean side file and these rows are the source they can be rebuilt from.
knowledge_chunks = Table(
    "knowledge_chunks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kb_id", Id, nullable=False),
    Column("document_id", Id, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("content", Text, nullable=False),
    Column("lex", Text().with_variant(TSVECTOR(), "postgresql"), nullable=False),
    Column("vector", LargeBinary, nullable=True),
    Index("ix_kchunks_kb", "kb_id"),
    Index("ix_kchunks_doc", "document_id", "seq"),
)

# ---- scale-out (migration 5) ----------------------------------------------------------------------
# Live work only: one row per run that has not ended. `state`: `local` (executed by the process that
# accepted it, embedded mode; `worker_id` is that process), `wait` (queued behind a busy thread),
# `ready` (claimable), `lease` (claimed by `worker_id` until `lease_until`). Deleted when the run ends.
# `queue`: the deployment's name (its Redis prefix): workers claim only their own deployment's runs.
run_queue = Table(
    "run_queue",
    metadata,
    Column("run_id", Id, primary_key=True),
    Column("thread_id", Id, nullable=False),
    Column("queue", String(128), nullable=False, default=""),
    Column("state", String(8), nullable=False),
    Column("worker_id", String(64), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("attempt", Integer, nullable=False, default=0),
    # 1 once a cancel was requested: a worker that claims the run ends it without running the graph.
    Column("cancel", Integer, nullable=False, default=0),
    Column("ready_at", Float, nullable=False),
    Index("ix_run_queue_claim", "queue", "state", "ready_at"),
    Index("ix_run_queue_thread", "thread_id", "state"),
    Index("ix_run_queue_worker", "worker_id"),
)

# Every process (API, worker, embedded server) while it lives: liveness by heartbeat, and on this host
# by pid (a SIGKILLed process is known dead at once, without waiting for its heartbeat to age).
workers = Table(
    "workers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("proc_start", Text, nullable=True),
    Column("concurrency", Integer, nullable=False),
    Column("running", Integer, nullable=False),
    Column("version", String(32), nullable=False),
    Column("started_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
)

# ---- connections (migration 8) ----------------------------------------------------------------------
# An org's named model endpoints and MCP servers (connections/). `secret` is AES-GCM ciphertext of the
# key or headers (connections/vault.py), never the clear text; `hint` is what responses may show of it.
connections = Table(
    "connections",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("kind", String(8), nullable=False),  # model | mcp
    Column("transport", String(32), nullable=True),  # mcp: http | sse
    Column("url", Text, nullable=False),
    Column("models", Json, nullable=False),
    Column("description", Text, nullable=True),
    Column("secret", LargeBinary, nullable=True),
    Column("hint", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("org_id", "name", name="uq_connections_org_name"),
)

# ---- usage (migration 13) ---------------------------------------------------------------------------
# Tokens each run spent per model, written with the run's end. Kept when the thread or xpert is deleted:
# it is the org's accounting. `day`: the UTC date (YYYY-MM-DD), what aggregates group by.
run_usage = Table(
    "run_usage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", String(64), nullable=False),
    Column("run_id", Id, nullable=False),
    Column("thread_id", Id, nullable=False),
    Column("assistant_id", Id, nullable=False),
    Column("model", String(200), nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("day", String(10), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_run_usage_org_day", "org_id", "day"),
    Index("ix_run_usage_thread", "thread_id"),
)

# ---- webhooks (migration 12) ------------------------------------------------------------------------
# An org's subscriptions (webhooks/): each with its own signing secret, sealed (connections/vault.py).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("events", Json, nullable=False),  # event types (webhooks/events.py)
    Column("description", Text, nullable=True),
    Column("secret", LargeBinary, nullable=False),
    Column("hint", String(32), nullable=False),
    Column("active", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_webhook_endpoints_org", "org_id"),
)
# The org's secret for the per-run `webhook` URLs LangGraph clients send: made on first use, rotatable.
webhook_signing = Table(
    "webhook_signing",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("secret", LargeBinary, nullable=False),
    Column("hint", String(32), nullable=False),
    Column("created_at", Float, nullable=False),
)
# The outbox: one row per event and target, written in the transaction that ends the run (or document),
# so no accepted event is lost to a crash. `id` is the `webhook-id` every attempt sends. `status`:
# pending | succeeded | failed; a process attempting it holds `lease_until`.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("endpoint_id", Id, nullable=True),  # None: a run's own `webhook` URL (the org's signing secret)
    Column("url", Text, nullable=False),
    Column("event", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_at", Float, nullable=False),
    Column("lease_until", Float, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_webhook_deliveries_due", "status", "next_at"),
    Index("ix_webhook_deliveries_org", "org_id", "created_at"),
    Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
)
# The delivery log: every attempt, its answer (status, latency, the start of the body) or its error.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Id, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("response", Text, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_webhook_attempts_delivery", "delivery_id", "attempt"),
)

# Crons (crons/): a schedule that starts a run on each tick. `next_run_date` is the tick a process fires next;
# claiming it is a compare-and-set on that column (storage/sql/crons.py), so one process fires each tick.
# `thread_id` is the thread's internal id (None: each tick runs on a new thread), `thread_public_id` the one
# its clients name; `user_id`/`key_id` are who made it, and the runs it starts act for them.
crons = Table(
    "crons",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("assistant_id", Id, nullable=False),
    Column("thread_id", Id, nullable=True),
    Column("thread_public_id", Id, nullable=True),
    Column("user_id", Text, nullable=True),
    Column("key_id", Id, nullable=True),
    Column("xpert_binding", Id, nullable=True),  # the creator's xpert binding: a bound key's cron stays bound
    Column("schedule", String(256), nullable=False),
    Column("timezone", String(64), nullable=True),
    Column("end_time", Float, nullable=True),
    Column("payload", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("on_run_completed", String(8), nullable=True),
    Column("enabled", Integer, nullable=False),
    Column("next_run_date", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_crons_org_created", "org_id", "created_at"),
    Index("ix_crons_due", "enabled", "next_run_date"),
    Index("ix_crons_thread", "thread_id"),
)

# A thread's time to live (LangGraph's `ttl`): after `ttl_seconds` without activity (the thread's
# `updated_at`), the retention sweeper deletes it (`delete`) or drops all but its latest checkpoint
# (`keep_latest`). A row of its own, so threads without a ttl cost nothing.
thread_ttls = Table(
    "thread_ttls",
    metadata,
    Column("thread_id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
    Column("ttl_seconds", Float, nullable=False),
    Column("strategy", String(16), nullable=False),
    Column("swept_at", Float, nullable=True),  # keep_latest: the thread's updated_at when last pruned
)
