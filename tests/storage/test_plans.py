"""The periodic sweeps stay bounded however many threads and frames are stored: SQLite's plans for their
statements search an index instead of scanning `threads` or `run_events` (issue 29: with 100,000 threads
stored, the ttl sweep's scan of every thread cost 26 ms of CPU every 5 minutes; the frames' retention
scanned the whole event log holding the writer). PostgreSQL plans by statistics: its plans are checked by
hand (EXPLAIN), not here."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.harness.app import new_org
from xpert_server.auth.principal import Principal
from xpert_server.storage import SQLStorage, create_storage

SCANS = ("SCAN threads", "SCAN run_events")


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[SQLStorage]:
    s = create_storage(f"sqlite:///{tmp_path / 'x.db'}")
    await s.open()
    yield s
    await s.close()


@pytest.fixture
def statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement run while the test runs, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


async def plans(storage: SQLStorage, statements: list[tuple[str, Any]], tables: tuple[str, ...]) -> list[str]:
    """The query plan lines of the recorded statements that touch `tables`."""
    mine = [(s, p) for s, p in statements if any(t in s for t in tables) and not s.startswith("EXPLAIN")]
    assert mine, f"no statement on {tables} was recorded"

    def explain(conn: Any) -> list[str]:
        return [
            str(row[3])
            for s, p in mine
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + s, p).fetchall()
        ]

    return await storage.read(explain)


async def test_the_ttl_sweep_starts_from_the_ttls(
    sqlite_storage: SQLStorage, statements: list[tuple[str, Any]]
) -> None:
    org = new_org()
    await sqlite_storage.ensure_org(org)
    thread = await sqlite_storage.create_thread(Principal(org_id=org))
    await sqlite_storage.set_thread_ttl(thread.id, org, 60, "delete")
    statements.clear()
    assert [r[0] for r in await sqlite_storage.expired_threads(time.time() + 120)] == [thread.id]
    lines = await plans(sqlite_storage, statements, ("thread_ttls",))
    assert not [ln for ln in lines if ln.startswith(SCANS)], lines


async def test_the_frames_retention_searches_by_age(
    sqlite_storage: SQLStorage, statements: list[tuple[str, Any]]
) -> None:
    await sqlite_storage.append_events([("r1", i, None, b"{}") for i in range(1, 4)])
    statements.clear()
    assert await sqlite_storage.delete_events_before(time.time() + 1, batch=2) == 3
    lines = await plans(sqlite_storage, statements, ("run_events",))
    assert not [ln for ln in lines if ln.startswith(SCANS)], lines


async def test_the_conversations_list_reads_a_page_in_its_default_order(
    sqlite_storage: SQLStorage, statements: list[tuple[str, Any]]
) -> None:
    """Most recently updated first (the default) and LangGraph's sort_by=updated_at: read from the (org,
    updated_at) index, never a sort of every thread of the org."""
    org = new_org()
    await sqlite_storage.ensure_org(org)
    p = Principal(org_id=org)
    made = [await sqlite_storage.create_thread(p) for _ in range(3)]
    statements.clear()
    page = await sqlite_storage.search_conversations(p, limit=2)
    assert [t.id for t in page.items] == [made[2].id, made[1].id] and page.total == 3
    found = await sqlite_storage.search_threads(p, sort_by="updated_at", limit=2)
    assert [t.id for t in found] == [made[2].id, made[1].id]
    lines = await plans(sqlite_storage, statements, ("ORDER BY threads.updated_at",))
    assert lines and not [ln for ln in lines if ln == "USE TEMP B-TREE FOR ORDER BY"], lines
