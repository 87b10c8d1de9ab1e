"""Ordered migrations, applied at start and recorded in `schema_migrations`.

Append new steps to `MIGRATIONS`; never edit a released one. Each step names the tables it creates
explicitly, so adding a table to `schema.py` later cannot change what an old step does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Float, Integer, MetaData, String, Table, insert, select

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


MIGRATIONS: list[Migration] = [
    Migration(1, "initial: orgs, keys, assistants, threads, audit, runs, events, messages", _initial),
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
