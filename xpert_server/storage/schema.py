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
from sqlalchemy.dialects.postgresql import JSONB

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
)

assistants = Table(
    "assistants",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
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

threads = Table(
    "threads",
    metadata,
    Column("id", Id, primary_key=True),
    Column("org_id", String(64), nullable=False),
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
    Index("ix_threads_org_user_created", "org_id", "created_by", "created_at"),
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
)
