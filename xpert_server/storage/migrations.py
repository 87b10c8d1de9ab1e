"""Ordered migrations, applied at start and recorded in `schema_migrations`.

Append new steps to `MIGRATIONS`; never edit a released one. Each step names the tables it creates
explicitly, so adding a table to `schema.py` later cannot change what an old step does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
)

from xpert_server.storage import schema as t

log = logging.getLogger("xpert.storage")

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _meta,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    tables = [
        t.orgs,
        t.api_keys,
        t.assistants,
        t.assistant_versions,
        t.threads,
        t.audit_log,
        t.runs,
        t.run_events,
        t.messages,
        t.feedbacks,
    ]
    t.metadata.create_all(conn, tables=tables)


def _client_secrets(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.client_secrets])


def _store_and_idempotency(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.store_items, t.idempotency_keys])


def _files_and_knowledge(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.files, t.knowledgebases, t.knowledge_documents, t.knowledge_chunks])
    if conn.dialect.name == "postgresql":
        # Lexical search on PostgreSQL: a GIN index over the chunk tokens (see knowledge/lexical.py).
        conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_kchunks_lex ON knowledge_chunks USING gin (lex)")


def _scale_out(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.run_queue, t.workers])


def _key_roles(conn: Connection) -> None:
    # A fresh database got the column from step 1 (which creates `api_keys` as schema.py declares it now).
    if "role" not in {c["name"] for c in inspect(conn).get_columns("api_keys")}:
        conn.exec_driver_sql("ALTER TABLE api_keys ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'admin'")
    older = int(conn.execute(select(func.count()).select_from(t.api_keys)).scalar_one())
    if older:
        log.warning(
            "%d API key(s) made before roles existed are now 'admin' (they may change xperts and keys); "
            "give apps keys of their own with `xpert keys create --role app` and revoke the old ones",
            older,
        )
    # API-made xperts from before this step were not checked against the operator-only fields: name them.
    risky = []
    for row in conn.execute(
        select(t.assistants.c.id, t.assistants.c.org_id, t.assistants.c.definition).where(
            t.assistants.c.source == "api"
        )
    ):
        from xpert_server.agents.operator_fields import stored_operator_fields

        fields = stored_operator_fields(row.definition)
        if fields:
            risky.append(f"{row.org_id}/{row.id} ({', '.join(fields)})")
    if risky:
        log.warning(
            "xperts made over the API before roles existed use operator-only fields; review or delete "
            "them: %s",
            "; ".join(risky),
        )


def _per_org_ids(conn: Connection) -> None:
    """Client-chosen thread and assistant ids become per org: a `public_id` column (what clients name),
    unique per org, beside `id`, which stays the internal, global key of everything downstream
    (checkpoints, runs, messages, versions, queue and Redis keys). Existing rows keep their id as their
    public id, so nothing downstream moves. A database created at this version has the columns from
    step 1 (it builds the current tables): then only what is missing is added."""
    for table in (t.threads, t.assistants):
        name = table.name
        if "public_id" not in {c["name"] for c in inspect(conn).get_columns(name)}:
            conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN public_id VARCHAR(128)")
        conn.exec_driver_sql(f"UPDATE {name} SET public_id = id WHERE public_id IS NULL")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ALTER TABLE {name} ALTER COLUMN public_id SET NOT NULL")
        conn.exec_driver_sql(
            f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{name}_org_public ON {name} (org_id, public_id)"
        )


def _connections(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.connections])


def _webhooks(conn: Connection) -> None:
    tables = [t.webhook_endpoints, t.webhook_signing, t.webhook_deliveries, t.webhook_attempts]
    t.metadata.create_all(conn, tables=tables)


def _usage(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.run_usage])


def _api_messages(conn: Connection) -> None:
    """Messages written over the API are marked (`messages.origin`), so a run can put them into the model's
    history; feedback can be changed (`feedbacks.updated_at`). A database created at this version has both
    columns from step 1: then nothing is added."""
    for table, column, sql_type in (
        ("messages", "origin", "VARCHAR(8)"),
        ("feedbacks", "updated_at", "FLOAT"),
    ):
        if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")


def _console_sessions(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.console_sessions])


def _crons(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.crons])


def _thread_ttls(conn: Connection) -> None:
    t.metadata.create_all(conn, tables=[t.thread_ttls])


def _frames_by_age(conn: Connection) -> None:
    """The retention sweep deletes frames older than the retention period: every 5 minutes it scanned the
    whole event log, holding the writer meanwhile (on SQLite every write waits on it). An index on
    `created_at` bounds it to the frames it deletes; new frames append at its end (~1.5 µs each on SQLite).
    A database created at this version has it from step 1."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_run_events_created ON run_events (created_at)")


def _threads_by_activity(conn: Connection) -> None:
    """The conversations list (default order: most recently updated first) sorted every thread of the org
    for each page: 34 ms with 100,000 threads stored. An index on (org, updated_at) reads just the page;
    it costs ~4 µs per thread status change (two per run). A database created at this version has it
    from step 1."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_threads_org_updated ON threads (org_id, updated_at)")


MIGRATIONS: list[Migration] = [
    Migration(1, "initial: orgs, keys, assistants, threads, audit, runs, events, messages", _initial),
    Migration(2, "context files, knowledge bases, documents and chunks", _files_and_knowledge),
    Migration(3, "chatkit client secrets", _client_secrets),
    Migration(4, "store items and idempotency keys", _store_and_idempotency),
    Migration(5, "scale-out: run queue (leases) and live processes", _scale_out),
    Migration(6, "roles on API keys (existing keys become admin)", _key_roles),
    Migration(7, "per-org thread and assistant ids: public_id beside the internal id", _per_org_ids),
    Migration(8, "connections: org model endpoints and MCP servers, secrets encrypted", _connections),
    Migration(9, "messages written over the API (origin) and changed feedback (updated_at)", _api_messages),
    Migration(12, "webhooks: subscriptions, signing secrets, the delivery outbox and its log", _webhooks),
    Migration(13, "usage: tokens each run spent per model", _usage),
    Migration(
        14, "console sessions: browser sign-ins from an org admin key, stored hashed", _console_sessions
    ),
    Migration(15, "crons: schedules that start runs, one process per tick", _crons),
    Migration(16, "thread ttls: threads deleted or pruned after inactivity", _thread_ttls),
    Migration(17, "stored frames indexed by age: the retention sweep's bounded delete", _frames_by_age),
    Migration(
        18, "threads indexed by (org, updated_at): the conversations list's order", _threads_by_activity
    ),
]


def migrate(conn: Connection) -> list[int]:
    """Apply every migration not yet recorded; return the versions applied."""
    _meta.create_all(conn)
    done = set(conn.execute(select(schema_migrations.c.version)).scalars())
    applied: list[int] = []
    for m in sorted(MIGRATIONS, key=lambda m: m.version):
        if m.version in done:
            continue
        m.apply(conn)
        conn.execute(insert(schema_migrations).values(version=m.version, name=m.name, applied_at=time.time()))
        log.info("applied migration %d: %s", m.version, m.name)
        applied.append(m.version)
    return applied
