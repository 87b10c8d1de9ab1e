"""LangGraph's checkpointer for thread state, matching the storage backend.

SQLite: its own file beside the main database (checkpoint writes never queue behind API writes),
WAL with synchronous=NORMAL. PostgreSQL: the same database, through a psycopg pool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import make_url

from xpert_server.config import Settings


class Checkpointer:
    def __init__(self, saver: BaseCheckpointSaver[Any], closer: Any):
        self.saver = saver
        self._closer = closer

    async def close(self) -> None:
        await self._closer()

    async def delete_thread(self, thread_id: str) -> None:
        await self.saver.adelete_thread(thread_id)

    async def keep_latest(self, thread_id: str) -> None:
        """Drop every checkpoint of the thread but its latest (with that one's pending writes, e.g. an
        interrupt): the thread keeps its state, not its history. Subgraphs' checkpoints go too."""
        tup = await self.latest(thread_id)
        if tup is None:
            return
        try:
            await self.saver.aprune([thread_id], strategy="keep_latest")
            return
        except NotImplementedError:  # the SQLite saver: rewrite the thread as its latest checkpoint
            pass
        await self.saver.adelete_thread(thread_id)
        config: Any = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
        kept = await self.saver.aput(config, tup.checkpoint, tup.metadata, tup.checkpoint["channel_versions"])
        writes: dict[str, list[tuple[str, Any]]] = {}
        for task_id, channel, value in tup.pending_writes or []:
            writes.setdefault(task_id, []).append((channel, value))
        for task_id, items in writes.items():
            await self.saver.aput_writes(kept, items, task_id)

    async def latest(self, thread_id: str, checkpoint_id: str | None = None, checkpoint_ns: str = "") -> Any:
        config: dict[str, Any] = {"configurable": {"thread_id": thread_id, "checkpoint_ns": checkpoint_ns}}
        if "\x00" in checkpoint_ns:  # no checkpoint has one (PostgreSQL would refuse to look)
            return None
        if checkpoint_id:
            if "\x00" in checkpoint_id:
                return None
            config["configurable"]["checkpoint_id"] = checkpoint_id
        return await self.saver.aget_tuple(config)  # type: ignore[arg-type]


async def open_checkpointer(settings: Settings) -> Checkpointer:
    url = settings.resolved_database_url
    if url.startswith("postgresql"):
        return await _postgres(url)
    database = make_url(url).database or ":memory:"
    path = (
        ":memory:"
        if database == ":memory:"
        else str(Path(database).with_name(Path(database).stem + "-checkpoints.db"))
    )
    return await _sqlite(path)


async def _sqlite(path: str) -> Checkpointer:
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path)
    for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000"):
        await conn.execute(pragma)
    saver = AsyncSqliteSaver(conn)
    await saver.setup()
    return Checkpointer(saver, conn.close)


# The advisory lock LangGraph's checkpointer migrations run under (storage/postgres.py has our own).
CHECKPOINT_SETUP_LOCK_ID = 0x78706572_63707400 >> 1


async def _postgres(url: str) -> Checkpointer:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=10,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    await pool.open()
    saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
    # LangGraph's setup runs its migrations (CREATE INDEX CONCURRENTLY among them) with no lock of its own:
    # two processes starting on a fresh database deadlocked. One at a time, as our own migrations are.
    async with pool.connection() as holder:
        await holder.execute("SELECT pg_advisory_lock(%s)", (CHECKPOINT_SETUP_LOCK_ID,))
        try:
            await saver.setup()
        finally:
            await holder.execute("SELECT pg_advisory_unlock(%s)", (CHECKPOINT_SETUP_LOCK_ID,))
    return Checkpointer(saver, pool.close)
