"""SQLite's reads without the thread hop (storage/sql/db.py `read_plain_rows`): on the event loop's thread,
never waiting there — a busy database or a connection in use sends the read to a reader thread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import bindparam, select

from xpert_server.storage import SQLStorage, create_storage
from xpert_server.storage import schema as t

ORGS = select(t.orgs.c.id).where(t.orgs.c.id == bindparam("b_id"))


async def opened(path: Path) -> SQLStorage:
    s = create_storage(f"sqlite:///{path}")
    await s.open()
    await s.ensure_org("org-inline")
    return s


async def test_a_plain_read_runs_on_the_calling_thread(tmp_path: Path) -> None:
    s = await opened(tmp_path / "x.db")
    try:
        db = s._db
        assert db is not None
        used: list[str] = []
        threaded = db.read

        async def spy(fn):  # type: ignore[no-untyped-def]
            used.append("thread")
            return await threaded(fn)

        db.read = spy  # type: ignore[method-assign]
        assert await s.read_plain_rows(ORGS, {"b_id": "org-inline"}) == [("org-inline",)]
        assert await s.read_plain_rows(ORGS, {"b_id": "nope"}) == []
        assert used == []
        with db._inline_lock:  # the connection in use (by another thread): the usual way, same answer
            assert await s.read_plain_rows(ORGS, {"b_id": "org-inline"}) == [("org-inline",)]
        assert used == ["thread"]
    finally:
        await s.close()


class Locked:
    """SQLite's answer while another process holds the database's exclusive lock (a WAL reader cannot be
    made to see it from one process: every connection here shares the WAL index)."""

    def __init__(self, real: sqlite3.Connection):
        self.real = real
        self.refused = 0

    def execute(self, sql: str, params: object = ()) -> sqlite3.Cursor:
        if sql.startswith("SELECT"):
            self.refused += 1
            raise sqlite3.OperationalError("database is locked")
        return self.real.execute(sql, params)  # type: ignore[arg-type]


async def test_a_busy_database_is_read_by_a_reader_thread_and_never_waited_on(tmp_path: Path) -> None:
    s = await opened(tmp_path / "x.db")
    try:
        db = s._db
        assert db is not None
        assert await s.read_plain_rows(ORGS, {"b_id": "org-inline"}) == [("org-inline",)]
        inline = db._inline
        # It never waits on the loop: a busy database answers at once…
        assert inline.execute("PRAGMA busy_timeout").fetchone() == (0,)
        # …and the read goes to a reader thread, which waits its turn (busy_timeout 10 s) and answers.
        db._inline = Locked(inline)
        assert await s.read_plain_rows(ORGS, {"b_id": "org-inline"}) == [("org-inline",)]
        assert db._inline.refused == 1
        db._inline = inline
    finally:
        await s.close()
